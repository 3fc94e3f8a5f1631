#!/usr/bin/env bash
# Installs the Debian packages a command needs, when they are missing, and says which and why.
#   scripts/system-packages.sh test    before `npm test`
#   scripts/system-packages.sh bench   before `npm run bench`
# Nothing is downloaded but Debian's own packages (apt-get). Without root or apt-get it installs
# nothing: it names the missing packages and the command to install them, and exits 1.
set -euo pipefail

what=${1:-test}
declare -A WHY=(
  [redis-server]="Redis: the Redis store, worker mode and ranking tests start their own redis-server"
  [chromium]="headless Chromium: the admin dashboard tests (driven by playwright-core; no browser is downloaded)"
  [wordpress]="WordPress: the WordPress adapter is tested against a real site"
  [wordpress-theme-twentytwentythree]="WordPress's default block theme, for that test site"
  [mariadb-server]="MariaDB: the WordPress test site's database"
  [php-cli]="PHP: runs the WordPress test site (php -S)"
  [php-mysql]="PHP's MySQL driver, for WordPress"
  [curl]="curl: the WordPress test site's start script checks the site with it"
  [faketime]="faketime: the date-sensitive tests run again at faked dates"
  [mediawiki]="MediaWiki: the MediaWiki adapter is tested against a real wiki (scripts/mediawiki-test-site.sh)"
  [php-sqlite3]="PHP's SQLite driver: the MediaWiki test wiki's database"
  [postgresql]="PostgreSQL: the SQL sent to Discourse's Data Explorer runs on a real PostgreSQL in the tests"
)
case "$what" in
  test) PACKAGES=(redis-server chromium wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql curl faketime postgresql mediawiki php-sqlite3) ;;
  bench) PACKAGES=(redis-server postgresql) ;;
  *) echo "usage: scripts/system-packages.sh test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0

echo "npm $what needs Debian packages that are not installed:" >&2
for p in "${missing[@]}"; do echo "  $p: ${WHY[$p]}" >&2; done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "This machine has no apt-get: install them (or the same programs) yourself, then run it again." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "Installing needs root. Run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing them with apt-get (as root)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
echo "Installed: ${missing[*]}" >&2
