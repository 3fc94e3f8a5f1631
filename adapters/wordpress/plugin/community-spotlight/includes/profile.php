<?php
/**
 * "Don't feature me": a checkbox in the member's own profile, kept as user meta that the worker
 * reads through the REST API (register_meta with an auth callback: only those who may edit the
 * user see or change it), honoured by the block at once and by the worker on its next read.
 *
 * @package CommunitySpotlight
 */

defined( 'ABSPATH' ) || exit;

/** The opt-out as user meta, in the REST API's user objects for those allowed to edit the user. */
function community_spotlight_register_meta() {
	register_meta(
		'user',
		COMMUNITY_SPOTLIGHT_OPT_OUT_META,
		array(
			'type'              => 'boolean',
			'description'       => __( 'The member does not want to be featured by Community Spotlight.', 'community-spotlight' ),
			'single'            => true,
			'default'           => false,
			'sanitize_callback' => 'rest_sanitize_boolean',
			'auth_callback'     => static function ( $allowed, $meta_key, $user_id ) {
				return current_user_can( 'edit_user', $user_id );
			},
			'show_in_rest'      => true,
		)
	);
}

/** Whether a member opted out. */
function community_spotlight_opted_out( $user_id ) {
	return (bool) get_user_meta( (int) $user_id, COMMUNITY_SPOTLIGHT_OPT_OUT_META, true );
}

/** The checkbox on Profile (one's own) and Edit User (an administrator's view). */
function community_spotlight_profile_field( $user ) {
	if ( ! current_user_can( 'edit_user', $user->ID ) ) {
		return;
	}
	?>
	<h2><?php esc_html_e( 'Community Spotlight', 'community-spotlight' ); ?></h2>
	<table class="form-table" role="presentation">
		<tr>
			<th scope="row"><?php esc_html_e( 'Featuring', 'community-spotlight' ); ?></th>
			<td>
				<label for="community_spotlight_opt_out">
					<input type="checkbox" name="community_spotlight_opt_out" id="community_spotlight_opt_out" value="1" <?php checked( community_spotlight_opted_out( $user->ID ) ); ?> />
					<?php esc_html_e( "Don't feature me: never show me in the spotlight or send me its notes.", 'community-spotlight' ); ?>
				</label>
			</td>
		</tr>
	</table>
	<?php
}
add_action( 'show_user_profile', 'community_spotlight_profile_field' );
add_action( 'edit_user_profile', 'community_spotlight_profile_field' );

/**
 * Saved with the profile. WordPress has checked the form's nonce (check_admin_referer(
 * 'update-user_' . $user_id ) in wp-admin/user-edit.php) before these actions run; the
 * capability is checked again here.
 */
function community_spotlight_profile_save( $user_id ) {
	if ( ! current_user_can( 'edit_user', $user_id ) ) {
		return;
	}
	check_admin_referer( 'update-user_' . $user_id );
	$opted_out = ! empty( $_POST['community_spotlight_opt_out'] ); // phpcs:ignore WordPress.Security.NonceVerification.Missing -- checked above.
	update_user_meta( $user_id, COMMUNITY_SPOTLIGHT_OPT_OUT_META, $opted_out );
}
add_action( 'personal_options_update', 'community_spotlight_profile_save' );
add_action( 'edit_user_profile_update', 'community_spotlight_profile_save' );
