<?php
/**
 * Deleting the plugin deletes what it kept: its options and every member's opt-out and note marks.
 *
 * @package CommunitySpotlight
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'community_spotlight_data' );
delete_option( 'community_spotlight_status' );
delete_option( 'community_spotlight_worker_user' );
delete_metadata( 'user', 0, 'community_spotlight_opt_out', '', true );

global $wpdb;
$community_spotlight_keys = $wpdb->get_col( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one-off cleanup.
	$wpdb->prepare( "SELECT DISTINCT meta_key FROM {$wpdb->usermeta} WHERE meta_key LIKE %s", $wpdb->esc_like( '_community_spotlight_note_' ) . '%' )
);
foreach ( $community_spotlight_keys as $community_spotlight_key ) {
	delete_metadata( 'user', 0, $community_spotlight_key, '', true );
}
