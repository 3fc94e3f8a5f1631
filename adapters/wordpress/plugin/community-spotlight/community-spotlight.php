<?php
/**
 * Plugin Name:       Community Spotlight
 * Plugin URI:        https://github.com/community-spotlight/community-spotlight
 * Description:       Shows the members the Community Spotlight worker features each month (block and shortcode), lets members opt out in their profile, and sends the worker's appreciation notes through the site's own mail.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Community Spotlight
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       community-spotlight
 * Domain Path:       /languages
 *
 * @package CommunitySpotlight
 */

defined( 'ABSPATH' ) || exit;

define( 'COMMUNITY_SPOTLIGHT_VERSION', '1.0.0' );
define( 'COMMUNITY_SPOTLIGHT_DIR', plugin_dir_path( __FILE__ ) );
define( 'COMMUNITY_SPOTLIGHT_URL', plugin_dir_url( __FILE__ ) );

/** Options and user meta the plugin keeps (uninstall.php removes them all). */
define( 'COMMUNITY_SPOTLIGHT_OPT_OUT_META', 'community_spotlight_opt_out' );
define( 'COMMUNITY_SPOTLIGHT_NOTE_META_PREFIX', '_community_spotlight_note_' );
define( 'COMMUNITY_SPOTLIGHT_DATA_OPTION', 'community_spotlight_data' );
define( 'COMMUNITY_SPOTLIGHT_STATUS_OPTION', 'community_spotlight_status' );
define( 'COMMUNITY_SPOTLIGHT_WORKER_OPTION', 'community_spotlight_worker_user' );

require_once COMMUNITY_SPOTLIGHT_DIR . 'includes/profile.php';
require_once COMMUNITY_SPOTLIGHT_DIR . 'includes/render.php';
require_once COMMUNITY_SPOTLIGHT_DIR . 'includes/rest.php';
require_once COMMUNITY_SPOTLIGHT_DIR . 'includes/admin.php';

add_action(
	'init',
	static function () {
		load_plugin_textdomain( 'community-spotlight', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
		community_spotlight_register_meta();
		community_spotlight_register_render();
	}
);
add_action( 'rest_api_init', 'community_spotlight_register_routes' );
