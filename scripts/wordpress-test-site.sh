#!/usr/bin/env bash
# wordpress-test-site.sh - bring up a throw-away, real WordPress (Debian 12 package,
# 6.1.x) on 127.0.0.1:PORT with a private MariaDB, no systemd, no Docker, no wp-cli.
# Community Spotlight's tests use it (test/wordpress/); it seeds a small community whose
# discussions happen in October 2026 (WP_TEST_MONTH), with history the month before.
#
# Usage:
#   wordpress-test-site.sh [start] [PORT]   # default PORT=8881; idempotent; prints KEY=VALUE lines
#   wordpress-test-site.sh stop    [PORT]   # stop php -S and mariadbd of that site (by PID files)
#   wordpress-test-site.sh status  [PORT]
#   wordpress-test-site.sh destroy [PORT]   # stop + delete the state dir (DB, uploads, creds)
# Env:
#   WP_TEST_ROOT   state root (default /tmp/wp-test); site state lives in $WP_TEST_ROOT/$PORT
#   WP_TEST_SEED   1 (default) = seed users/posts/comments once; 0 = bare install
#   WP_TEST_WORKERS  php -S worker processes (PHP_CLI_SERVER_WORKERS), default 4
#
# Needs root for the one-time apt-get install and for writing the one Debian dispatcher file
# /etc/wordpress/config-127.0.0.1.php (tested as root only). Everything else (DB files,
# wp-content, logs, PID files, credentials) is under $WP_TEST_ROOT/$PORT.
# stdout: only KEY=VALUE lines (eval/source them); progress goes to stderr.
# If a start fails half-way, run `stop` (or `destroy`) and retry.
set -euo pipefail

CMD=start
case "${1:-}" in
  start|stop|status|destroy) CMD=$1; shift ;;
  --start|--stop|--status|--destroy) CMD=${1#--}; shift ;;
esac
PORT=${1:-${WP_TEST_PORT:-8881}}
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "bad port: $PORT" >&2; exit 2; }
ROOT=${WP_TEST_ROOT:-/tmp/wp-test}
DIR="$ROOT/$PORT"
SEED=${WP_TEST_SEED:-1}
WORKERS=${WP_TEST_WORKERS:-4}
HOST=127.0.0.1
BASE_URL="http://$HOST:$PORT"
WP_CORE=/usr/share/wordpress
SOCK="$DIR/mysql/mysqld.sock"
DB_NAME=wordpress DB_USER=wp DB_PASS=wp-test-pass
ADMIN_USER=admin ADMIN_PASS=admin-test-pass ADMIN_EMAIL=admin@example.test
APP_NAME=wp-test-site

T0=${EPOCHREALTIME/[.,]/}   # microseconds (bash >= 5)
log() { local us=$(( ${EPOCHREALTIME/[.,]/} - T0 )); printf '[wp-test +%d.%02ds] %s\n' $((us/1000000)) $((us/10000%100)) "$*" >&2; }
# running PID: exists and is not a zombie (in containers PID 1 may reap exited children late)
running() { local st; st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [[ -n "$st" && "$st" != Z ]]; }
# alive PIDFILE NAME: the PID in the file is running and is really NAME (guards against PID reuse)
alive() { [[ -f "$1" ]] && local pid && pid=$(cat "$1") && [[ -n "$pid" ]] &&
          running "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"; }
# mariadb client (as the OS user, unix_socket auth) against our private server
sql() { mariadb --no-defaults --socket="$SOCK" -u"$(id -un)" "$@"; }

port_busy() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

stop_site() {
  if alive "$DIR/php.pid" "-S $HOST:$PORT"; then
    local pid; pid=$(cat "$DIR/php.pid")
    log "stopping php -S (process group $pid: server + its workers)"
    # Killing only the parent leaves the PHP_CLI_SERVER_WORKERS children alive, still holding
    # the port. The server was started with setsid, so its PID is also its process-group id.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do port_busy || break; sleep 0.1; done   # the port is the shared resource
    port_busy && kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/php.pid"
  if alive "$DIR/mysql/mysqld.pid" mariadbd; then
    local pid; pid=$(cat "$DIR/mysql/mysqld.pid")
    log "stopping mariadbd (pid $pid)"
    kill "$pid" 2>/dev/null || true           # SIGTERM = clean shutdown
    for _ in $(seq 1 150); do running "$pid" || break; sleep 0.1; done
  fi
}

case "$CMD" in
  stop)    stop_site; exit 0 ;;
  destroy) stop_site; rm -rf "$DIR"; log "removed $DIR"; exit 0 ;;
  status)
    alive "$DIR/mysql/mysqld.pid" mariadbd && echo "mariadbd: running (pid $(cat "$DIR/mysql/mysqld.pid"))" || echo "mariadbd: stopped"
    alive "$DIR/php.pid" "-S $HOST:$PORT" && echo "php -S: running (pid $(cat "$DIR/php.pid")) $BASE_URL" || echo "php -S: stopped"
    exit 0 ;;
esac

if ! alive "$DIR/php.pid" "-S $HOST:$PORT" && port_busy; then
  log "port $PORT on $HOST is already in use by another process"; exit 1
fi

# ---------------------------------------------------------------- 1. packages
PKGS=(wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql curl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$DIR/logs"
  # --no-install-recommends: avoids apache2 & co; the theme is only a Recommends, so name it.
  { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } \
    >"$DIR/logs/apt.log" 2>&1 || { tail -20 "$DIR/logs/apt.log" >&2; exit 1; }
fi

mkdir -p "$DIR"/{mysql,logs,wp-content/themes,wp-content/plugins,wp-content/uploads,wp-content/upgrade}

# ---------------------------------------------------------------- 2. MariaDB (private instance)
if [[ ! -d "$DIR/mysql/data/mysql" ]]; then
  log "mariadb-install-db -> $DIR/mysql/data"
  mariadb-install-db --no-defaults --datadir="$DIR/mysql/data" --user="$(id -un)" \
    --auth-root-authentication-method=socket --skip-test-db >"$DIR/logs/mariadb-install-db.log" 2>&1
fi
if ! alive "$DIR/mysql/mysqld.pid" mariadbd; then
  log "starting mariadbd (socket $SOCK, no TCP)"
  # --user is required when running as root; --skip-networking = socket only, no port clash.
  # innodb flush/doublewrite/buffer-pool-dump settings: fewer fsyncs, faster stop; fine for throwaway data.
  setsid nohup mariadbd --no-defaults --datadir="$DIR/mysql/data" --socket="$SOCK" \
    --pid-file="$DIR/mysql/mysqld.pid" --log-error="$DIR/logs/mariadb.err" \
    --user="$(id -un)" --skip-networking --innodb-buffer-pool-size=64M \
    --innodb-buffer-pool-dump-at-shutdown=0 --innodb-buffer-pool-load-at-startup=0 \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    >"$DIR/logs/mariadb.out" 2>&1 &
  for _ in $(seq 1 150); do
    mariadb-admin --no-defaults --socket="$SOCK" -u"$(id -un)" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$SOCK" -u"$(id -un)" ping >/dev/null || {
    tail -20 "$DIR/logs/mariadb.err" >&2; exit 1; }
fi
sql -e "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
        CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
        GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';"

# ---------------------------------------------------------------- 3. WordPress config
# Debian's /usr/share/wordpress/wp-config.php loads /etc/wordpress/config-<HTTP_HOST minus :port>.php,
# so every port on 127.0.0.1 shares config-127.0.0.1.php. That file is a tiny dispatcher that
# picks the per-port config from the state dir.
DISPATCH=/etc/wordpress/config-$HOST.php
dispatch_src=$(cat <<EOF
<?php
// Written by wordpress-test-site.sh: one WordPress test site per port on $HOST.
\$wpt_port = (string) (int) (\$_SERVER['SERVER_PORT'] ?? 0);
if (preg_match('/:(\\d+)\$/', \$_SERVER['HTTP_HOST'] ?? '', \$wpt_m)) { \$wpt_port = \$wpt_m[1]; }
\$wpt_conf = '$ROOT/' . \$wpt_port . '/wp-config.php';
if (!is_readable(\$wpt_conf)) { header('HTTP/1.0 404 Not Found'); echo "No WordPress test site on port \$wpt_port"; exit(1); }
require \$wpt_conf;
EOF
)
if [[ ! -f "$DISPATCH" ]] || [[ "$(cat "$DISPATCH")" != "$dispatch_src" ]]; then
  printf '%s\n' "$dispatch_src" >"$DISPATCH"
fi

# themes from the Debian packages, symlinked into this site's own wp-content
for t in "$WP_CORE"/wp-content/themes/*/; do ln -sfn "${t%/}" "$DIR/wp-content/themes/$(basename "$t")"; done

[[ -f "$DIR/salts.php" ]] || php -r '
  foreach (["AUTH_KEY","SECURE_AUTH_KEY","LOGGED_IN_KEY","NONCE_KEY","AUTH_SALT","SECURE_AUTH_SALT","LOGGED_IN_SALT","NONCE_SALT"] as $k)
    $o[] = "define(\"$k\", \"" . bin2hex(random_bytes(32)) . "\");";
  echo "<?php\n" . implode("\n", $o) . "\n";' >"$DIR/salts.php"

cat >"$DIR/wp-config.php" <<EOF
<?php
// Per-port WordPress config (required by /etc/wordpress/config-$HOST.php)
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASS');
define('DB_HOST', 'localhost:$SOCK');      // host:socket-path form
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
require __DIR__ . '/salts.php';
\$table_prefix = 'wp_';
define('WP_HOME', '$BASE_URL');
define('WP_SITEURL', '$BASE_URL');
define('WP_CONTENT_DIR', '$DIR/wp-content');  // Debian default would be /var/lib/wordpress/wp-content
define('WP_CONTENT_URL', '$BASE_URL/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');    // Application Passwords over plain http need 'local'
define('WP_HTTP_BLOCK_EXTERNAL', true);    // no internet: do not wait on api.wordpress.org
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);           // no loopback cron requests into the php -S server
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);         // notices would break JSON responses
define('WP_DEBUG_LOG', '$DIR/logs/debug.log');
define('FS_METHOD', 'direct');
EOF

# php -S router: serve /wp-content/* from this site's WP_CONTENT_DIR, real files from
# /usr/share/wordpress, everything else (pretty permalinks, /wp-json/...) through index.php.
cat >"$DIR/router.php" <<EOF
<?php
const WPT_CONTENT = '$DIR/wp-content';
\$wpt_path = rawurldecode(parse_url(\$_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/');
if (strncmp(\$wpt_path, '/wp-content/', 12) === 0) {
    \$wpt_file = realpath(WPT_CONTENT . substr(\$wpt_path, 11));
    if (\$wpt_file && is_file(\$wpt_file) && !preg_match('/\.php\$/i', \$wpt_file)) {
        \$wpt_types = ['css' => 'text/css', 'js' => 'text/javascript', 'json' => 'application/json',
            'svg' => 'image/svg+xml', 'png' => 'image/png', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg',
            'gif' => 'image/gif', 'webp' => 'image/webp', 'woff2' => 'font/woff2', 'woff' => 'font/woff'];
        \$wpt_ext = strtolower(pathinfo(\$wpt_file, PATHINFO_EXTENSION));
        header('Content-Type: ' . (\$wpt_types[\$wpt_ext] ?? (mime_content_type(\$wpt_file) ?: 'application/octet-stream')));
        header('Content-Length: ' . filesize(\$wpt_file));
        readfile(\$wpt_file);
        return true;
    }
}
if (\$wpt_path !== '/' && file_exists(\$_SERVER['DOCUMENT_ROOT'] . \$wpt_path)) {
    return false;  // let the built-in server serve the static file / run the .php / dir index
}
\$_SERVER['SCRIPT_NAME'] = \$_SERVER['PHP_SELF'] = '/index.php';
\$_SERVER['SCRIPT_FILENAME'] = \$_SERVER['DOCUMENT_ROOT'] . '/index.php';
require \$_SERVER['DOCUMENT_ROOT'] . '/index.php';
EOF

# ---------------------------------------------------------------- 4. php -S
if ! alive "$DIR/php.pid" "-S $HOST:$PORT"; then
  log "starting php -S $HOST:$PORT ($WORKERS workers)"
  # setsid: own process group (so stop can kill the workers too) and no tie to this shell.
  # opcache is ON under php -S (only the plain "cli" SAPI is exempt) and by default re-checks
  # files every 2 s; revalidate_freq=0 makes edits to wp-config.php etc. visible at once.
  # bash -c + exec records the real server PID even if setsid had to fork.
  PHP_CLI_SERVER_WORKERS=$WORKERS setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$DIR/php.pid" \
    php -d opcache.revalidate_freq=0 -S "$HOST:$PORT" -t "$WP_CORE" "$DIR/router.php" \
    >"$DIR/logs/php-server.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do port_busy && break; sleep 0.1; done
  port_busy || { log "php -S did not start:"; tail -5 "$DIR/logs/php-server.log" >&2; exit 1; }
fi

# ---------------------------------------------------------------- 5. install + app password (+ seed)
# CLI PHP has no HTTP_HOST; Debian's wp-config.php needs it to find the config file.
cat >"$DIR/bootstrap.php" <<EOF
<?php
\$_SERVER['HTTP_HOST'] = '$HOST:$PORT';
\$_SERVER['SERVER_NAME'] = '$HOST';
\$_SERVER['SERVER_PORT'] = '$PORT';
\$_SERVER['REQUEST_URI'] = '/';
\$_SERVER['REQUEST_METHOD'] = 'GET';
EOF

cat >"$DIR/install.php" <<'EOF'
<?php
require __DIR__ . '/bootstrap.php';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
function wp_new_blog_notification() {}          // pluggable: no "new site" e-mail (no MTA here)
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    [$title, $user, $email, $pass] = array_slice($argv, 1, 4);
    $r = wp_install($title, $user, $email, true, '', wp_slash($pass));
    update_option('permalink_structure', '/%postname%/');  // explicit, instead of wp_install()'s loopback probe
    flush_rewrite_rules(true);
    update_option('timezone_string', 'UTC');
    fwrite(STDERR, "installed, admin user id {$r['user_id']}\n");
} else {
    fwrite(STDERR, "already installed\n");
}
EOF

cat >"$DIR/app-password.php" <<'EOF'
<?php
// prints a fresh application password for user $argv[1]; drops an older one with the same name
require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';
[$login, $name] = array_slice($argv, 1, 2);
$user = get_user_by('login', $login) or die("no user $login\n");
foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
    if ($item['name'] === $name) WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
}
$r = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => $name]);
if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message() . "\n"); exit(1); }
echo $r[0], "\n";   // 24 chars [A-Za-z0-9]; WP shows it in groups of 4, spaces are ignored on login
EOF

cat >"$DIR/seed.php" <<'EOF'
<?php
// Deterministic demo content: users, categories, posts, threaded approved comments.
require __DIR__ . '/bootstrap.php';
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';   // wp_create_category()
if (get_option('wpt_seeded')) { fwrite(STDERR, "already seeded\n"); exit(0); }
wp_defer_comment_counting(true);
$month = getenv('WP_TEST_MONTH') ?: '2026-10';
$t0 = strtotime("$month-01 09:00:00 UTC");
$users = [];
// Members of long standing, and two who joined in the month (its newcomers).
foreach ([
    ['alice', 'subscriber', 'Alice Helpful 🦊', -400], ['bob', 'contributor', 'Bob Writer', -380],
    ['carol', 'subscriber', 'Carol Curious', -200], ['dave', 'author', 'Dave Author', -500],
    ['erin', 'subscriber', 'Erin Lurker', -90], ['edna', 'editor', 'Edna Editor', -600],
    ['frank', 'subscriber', 'Frank Newcomer', 1], ['ivan', 'subscriber', 'Ivan Quiet', 1],
] as [$login, $role, $name, $joined]) {
    $id = username_exists($login) ?: wp_insert_user([
        'user_login' => $login, 'user_pass' => "$login-pass", 'user_email' => "$login@example.test",
        'display_name' => $name, 'first_name' => explode(' ', $name)[0], 'role' => $role,
        'user_registered' => gmdate('Y-m-d H:i:s', $t0 + $joined * 86400),
    ]);
    $users[$login] = get_userdata($id);
}
// A worker account holding exactly the capabilities Community Spotlight says it needs
// (WPT_WORKER_CAPS, comma-separated; the tests pass the adapter's own list) and nothing else.
$caps = ['read' => true];
foreach (array_filter(explode(',', getenv('WPT_WORKER_CAPS') ?: 'list_users,edit_users,moderate_comments,edit_posts,publish_posts')) as $cap) $caps[trim($cap)] = true;
remove_role('spotlight_worker');
add_role('spotlight_worker', 'Spotlight worker', $caps);
username_exists('spotworker') ?: wp_insert_user(['user_login' => 'spotworker', 'user_pass' => 'spotworker-pass', 'user_email' => 'spotworker@example.test', 'display_name' => 'Spotlight Worker', 'role' => 'spotlight_worker']);
$cat_news = wp_create_category('News');
$cat_howto = wp_create_category('How-to');
$admin = get_user_by('login', 'admin');
$posts = [];
for ($i = 1; $i <= 6; $i++) {
    $posts[] = wp_insert_post([
        'post_title' => "Post $i: " . ['Getting started', 'Caching tips', 'Release notes', 'Backups', 'Themes', 'Security'][$i - 1],
        'post_content' => "<!-- wp:paragraph -->\n<p>Body of post $i.</p>\n<!-- /wp:paragraph -->",
        'post_status' => 'publish', 'post_author' => $i % 2 ? $admin->ID : $users['dave']->ID,
        'post_category' => [$i % 2 ? $cat_news : $cat_howto],
        'post_date_gmt' => gmdate('Y-m-d H:i:s', $t0 + $i * 86400), 'post_date' => gmdate('Y-m-d H:i:s', $t0 + $i * 86400),
    ], true);
}
// Comments: questions by various people (incl. guests), replies mostly by alice (the "helpful
// commenter"), some by others; plus a few pending/spam ones that only context=edit shows.
$n = 0;
$mk = function ($post, $who, $content, $parent = 0, $approved = 1, $days = 0) use (&$n, $users, $t0) {
    $n++;
    $date = gmdate('Y-m-d H:i:s', $t0 + ($days ?: 3) * 86400 + $n * 3 * 3600);
    $c = ['comment_post_ID' => $post, 'comment_content' => $content, 'comment_parent' => $parent,
          'comment_approved' => $approved, 'comment_date' => $date, 'comment_date_gmt' => $date,
          'comment_agent' => 'seed', 'comment_author_IP' => '127.0.0.1'];
    if (isset($users[$who])) {
        $u = $users[$who];
        $c += ['user_id' => $u->ID, 'comment_author' => $u->display_name, 'comment_author_email' => $u->user_email];
    } else {
        $c += ['user_id' => 0, 'comment_author' => ucfirst($who) . ' (guest)', 'comment_author_email' => "$who@guest.example.test"];
    }
    return wp_insert_comment(wp_slash($c));
};
// History the month before: erin and carol have commented before (not newcomers).
$mk($posts[0], 'erin', 'An older comment from last month.', 0, 1, -20);
$mk($posts[0], 'carol', 'Another older comment.', 0, 1, -19);
$askers = ['carol', 'erin', 'bob', 'frank', 'grace', 'heidi'];
foreach ($posts as $pi => $post) {
    for ($q = 0; $q < 5; $q++) {
        $who = $askers[($pi + $q) % count($askers)];
        $question = $mk($post, $who, "Question $q on post " . ($pi + 1) . " from $who?");
        if (($pi + $q) % 3 !== 2) {                 // alice answers most questions
            $a = $mk($post, 'alice', "Answer by Alice to $who: try clearing the cache.", $question);
            $mk($post, $who, "Thanks Alice, that worked!", $a);
        }
        if ($q % 2 === 0) {
            $mk($post, 'bob', "Bob adds: see also the docs.", $question);
        }
        if ($q === 1) {                              // the editor (staff) answers too
            $mk($post, 'edna', "Edna from the team: here is the official answer.", $question);
        }
    }
}
// ivan's first comment: nobody answers it.
$mk($posts[2], 'ivan', 'First time here: how do I reset my password?');
$mk($posts[0], 'carol', 'Waiting for moderation', 0, 0);
$mk($posts[0], 'spammer', 'Buy cheap stuff', 0, 'spam');
wp_defer_comment_counting(false);
update_option('wpt_seeded', 1);
fwrite(STDERR, "seeded " . count($users) . " users, " . count($posts) . " posts, $n comments\n");
EOF

relay() { while IFS= read -r line; do log "  $line"; done; }
log "wp_install (skipped if already installed)"
php "$DIR/install.php" "WP Test Site" "$ADMIN_USER" "$ADMIN_EMAIL" "$ADMIN_PASS" 2>&1 | relay
if [[ "$SEED" == 1 ]]; then
  log "seeding (skipped if already seeded)"
  php "$DIR/seed.php" 2>&1 | relay
fi

# Re-use the stored app password if it still authenticates, else mint a new one.
rest_code() { curl -s -o /dev/null -w '%{http_code}' -u "$ADMIN_USER:$1" "$BASE_URL/wp-json/wp/v2/users/me"; }
APP_PASS=$(cat "$DIR/app-password" 2>/dev/null || true)
if [[ -z "$APP_PASS" ]] || [[ "$(rest_code "$APP_PASS")" != 200 ]]; then
  log "creating application password '$APP_NAME' for $ADMIN_USER"
  APP_PASS=$(php "$DIR/app-password.php" "$ADMIN_USER" "$APP_NAME")
  printf '%s' "$APP_PASS" >"$DIR/app-password"
fi
code=$(rest_code "$APP_PASS")
[[ "$code" == 200 ]] || { log "REST check failed: HTTP $code (see $DIR/logs)"; exit 1; }
log "ready: $BASE_URL (GET /wp-json/wp/v2/users/me with the app password -> 200)"

cat <<EOF
WP_BASE_URL=$BASE_URL
WP_REST_ROOT=$BASE_URL/wp-json/
WP_ADMIN_USER=$ADMIN_USER
WP_ADMIN_PASSWORD=$ADMIN_PASS
WP_APP_PASSWORD=$APP_PASS
WP_STATE_DIR=$DIR
WP_PHP_PID=$(cat "$DIR/php.pid")
WP_MARIADB_PID=$(cat "$DIR/mysql/mysqld.pid")
EOF
