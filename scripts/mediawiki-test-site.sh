#!/usr/bin/env bash
# mediawiki-test-site.sh - a throw-away, real MediaWiki (Debian 12's mediawiki package, 1.39)
# on 127.0.0.1:PORT with SQLite, served by php -S: no Apache, no systemd, nothing in /etc.
# Community Spotlight's tests use it (test/mediawiki/).
#
# Usage:
#   mediawiki-test-site.sh start   PORT        install (once) and serve; prints KEY=VALUE lines
#   mediawiki-test-site.sh seed    PORT FILE   run test/mediawiki/seed.php with a community (JSON)
#   mediawiki-test-site.sh bot     PORT APP GRANTS   another bot password of Admin (BOT_USER, BOT_PASSWORD)
#   mediawiki-test-site.sh destroy PORT        stop the server and delete the wiki
# Env: MW_TEST_ROOT  state root (default /tmp/mw-test); the wiki lives in $MW_TEST_ROOT/$PORT.
# stdout: only KEY=VALUE lines; progress goes to stderr.
set -euo pipefail

CMD=${1:-}; PORT=${2:-}
[[ "$CMD" =~ ^(start|seed|bot|destroy)$ && "$PORT" =~ ^[0-9]+$ ]] || {
  echo "usage: mediawiki-test-site.sh start|seed|bot|destroy PORT [FILE | APP GRANTS]" >&2; exit 2; }
ROOT=${MW_TEST_ROOT:-/tmp/mw-test}
DIR="$ROOT/$PORT"
HOST=127.0.0.1
BASE_URL="http://$HOST:$PORT"
IP=/usr/share/mediawiki
HERE=$(cd "$(dirname "$0")/.." && pwd)
ADMIN_USER=Admin ADMIN_PASS=Admin-test-pass-1
BOT_APP=spotlight
export MW_CONFIG_FILE="$DIR/LocalSettings.php" MW_INSTALL_PATH="$IP"

log() { echo "[mw-test] $*" >&2; }
alive() { [[ -f "$DIR/php.pid" ]] && kill -0 "$(cat "$DIR/php.pid")" 2>/dev/null; }
stop() {
  if alive; then
    local pid; pid=$(cat "$DIR/php.pid")
    # php -S was started with setsid: its pid is the process group of the server and its workers.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/php.pid"
}

case "$CMD" in
  destroy) stop; rm -rf "$DIR"; exit 0 ;;
  seed)
    FILE=${3:?seed needs a community file}
    php "$HERE/test/mediawiki/seed.php" --community "$FILE" >&2
    # What the edits queued (recent changes' revert tags, link tables) runs now, not on page views.
    php "$IP/maintenance/runJobs.php" --quiet >&2
    exit 0 ;;
  bot)
    APP=${3:?bot needs an app id}; GRANTS=${4:?bot needs grants}
    out=$(php "$IP/maintenance/createBotPassword.php" --appid "$APP" --grants "$GRANTS" "$ADMIN_USER")
    echo "BOT_USER=$ADMIN_USER@$APP"
    echo "BOT_PASSWORD=$(grep -o "password:'[^']*'" <<<"$out" | tail -1 | cut -d"'" -f2)"
    exit 0 ;;
esac

[[ -f "$IP/api.php" ]] || { log "MediaWiki is not installed: apt-get install mediawiki php-sqlite3 (scripts/system-packages.sh test)"; exit 1; }
mkdir -p "$DIR/data" "$DIR/logs"
if [[ ! -f "$DIR/LocalSettings.php" ]]; then
  log "installing a wiki in $DIR"
  php "$IP/maintenance/install.php" --dbtype=sqlite --dbpath="$DIR/data" --dbname=wiki \
    --server="$BASE_URL" --scriptpath="" --lang=en --pass="$ADMIN_PASS" --confpath="$DIR" \
    "Spotlight Test Wiki" "$ADMIN_USER" >"$DIR/logs/install.log" 2>&1 || { tail -20 "$DIR/logs/install.log" >&2; exit 1; }
  cat >>"$DIR/LocalSettings.php" <<PHP

# --- mediawiki-test-site.sh ---
\$wgEnableEmail = true;
\$wgEnableUserEmail = true;
\$wgEmailAuthentication = false;
\$wgPasswordSender = 'wiki@example.test';
\$wgEnableBotPasswords = true;
\$wgMainCacheType = CACHE_DB;
\$wgDebugLogFile = '$DIR/logs/debug.log';
\$wgShowExceptionDetails = true;
\$wgJobRunRate = 0;
# Mail goes to the SMTP peer the tests start (MW_TEST_SMTP_PORT); without one, nowhere.
if ( getenv( 'MW_TEST_SMTP_PORT' ) ) {
  \$wgSMTP = [ 'host' => '127.0.0.1', 'IDHost' => 'example.test', 'port' => (int)getenv( 'MW_TEST_SMTP_PORT' ), 'auth' => false ];
}
PHP
  # The worker's account: a bot password with the grants the README lists.
  php "$IP/maintenance/createBotPassword.php" --appid "$BOT_APP" \
    --grants basic,highvolume,editpage,editprotected,createeditmovepage,editmyoptions,sendemail "$ADMIN_USER" \
    >"$DIR/bot-password.txt" 2>"$DIR/logs/bot-password.log" || { cat "$DIR/logs/bot-password.log" >&2; exit 1; }
fi
# createBotPassword.php says: Log in using username:'Admin@spotlight' and password:'…'.
BOT_PASSWORD=$(grep -o "password:'[^']*'" "$DIR/bot-password.txt" | tail -1 | cut -d"'" -f2)
[[ -n "$BOT_PASSWORD" ]] || { log "no bot password in $DIR/bot-password.txt"; exit 1; }

cat >"$DIR/router.php" <<PHP
<?php
// php -S router: real files (skins, resources) as they are, every other path through index.php.
\$path = parse_url(\$_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
if (\$path !== '/' && is_file('$IP' . \$path) && !str_ends_with(\$path, '.php')) return false;
if (in_array(\$path, ['/api.php', '/rest.php', '/load.php', '/index.php'], true)) { require '$IP' . \$path; return true; }
require '$IP/index.php';
PHP
if ! alive; then
  # Nothing of the server may hold our stdout: a caller reading it would wait for ever.
  cd "$IP"
  setsid php -S "$HOST:$PORT" "$DIR/router.php" </dev/null >"$DIR/logs/php.log" 2>&1 &
  echo $! >"$DIR/php.pid"
  cd - >/dev/null
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE_URL/api.php?action=query&meta=siteinfo&format=json" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$BASE_URL/api.php?action=query&meta=siteinfo&format=json" || { tail -20 "$DIR/logs/php.log" >&2; exit 1; }
fi
echo "BASE_URL=$BASE_URL"
echo "ADMIN_USER=$ADMIN_USER"
echo "BOT_USER=$ADMIN_USER@$BOT_APP"
echo "BOT_PASSWORD=$BOT_PASSWORD"
echo "DIR=$DIR"
