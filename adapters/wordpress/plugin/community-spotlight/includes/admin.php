<?php
/**
 * Settings → Community Spotlight: which account the worker uses, when it last read the site, the
 * current period's plan and where to put the spotlight. The form goes through the Settings API
 * (options.php checks the nonce and manage_options).
 *
 * @package CommunitySpotlight
 */

defined( 'ABSPATH' ) || exit;

add_action(
	'admin_init',
	static function () {
		register_setting(
			'community_spotlight',
			COMMUNITY_SPOTLIGHT_WORKER_OPTION,
			array(
				'type'              => 'integer',
				'default'           => 0,
				'sanitize_callback' => 'community_spotlight_sanitize_worker',
			)
		);
	}
);

/** Only an existing user who can list users may be the worker. */
function community_spotlight_sanitize_worker( $value ) {
	$user = get_userdata( absint( $value ) );
	if ( ! $user || ! user_can( $user, 'list_users' ) ) {
		add_settings_error(
			COMMUNITY_SPOTLIGHT_WORKER_OPTION,
			'community_spotlight_worker',
			__( 'The worker account must be a user who can list users.', 'community-spotlight' )
		);
		return (int) get_option( COMMUNITY_SPOTLIGHT_WORKER_OPTION, 0 );
	}
	return $user->ID;
}

add_action(
	'admin_menu',
	static function () {
		add_options_page(
			__( 'Community Spotlight', 'community-spotlight' ),
			__( 'Community Spotlight', 'community-spotlight' ),
			'manage_options',
			'community-spotlight',
			'community_spotlight_admin_page'
		);
	}
);

function community_spotlight_admin_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$worker  = (int) get_option( COMMUNITY_SPOTLIGHT_WORKER_OPTION, 0 );
	$status  = get_option( COMMUNITY_SPOTLIGHT_STATUS_OPTION );
	$data    = get_option( COMMUNITY_SPOTLIGHT_DATA_OPTION );
	$workers = get_users(
		array(
			'capability' => 'list_users',
			'fields'     => array( 'ID', 'user_login', 'display_name' ),
		)
	);
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Community Spotlight', 'community-spotlight' ); ?></h1>
		<h2><?php esc_html_e( 'Connection', 'community-spotlight' ); ?></h2>
		<?php if ( is_array( $status ) && ! empty( $status['lastReadAt'] ) ) : ?>
			<p>
				<?php
				$community_spotlight_when = wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), strtotime( $status['lastReadAt'] ) );
				printf(
					/* translators: 1: when the worker last read the site, 2: the period (YYYY-MM). */
					esc_html__( 'The worker last read this site on %1$s, for %2$s.', 'community-spotlight' ),
					esc_html( $community_spotlight_when ),
					esc_html( $status['period'] ?? '' )
				);
				if ( ! empty( $status['planStatus'] ) ) {
					echo ' ';
					printf(
						/* translators: 1: the period (YYYY-MM), 2: the plan's status (prepared, approved, published). */
						esc_html__( 'The plan for %1$s is %2$s.', 'community-spotlight' ),
						esc_html( $status['period'] ?? '' ),
						esc_html( $status['planStatus'] )
					);
				}
				?>
				<?php if ( ! empty( $status['dashboardUrl'] ) ) : ?>
					<a href="<?php echo esc_url( $status['dashboardUrl'] ); ?>"><?php esc_html_e( 'Open the dashboard', 'community-spotlight' ); ?></a>
				<?php endif; ?>
			</p>
		<?php else : ?>
			<p><?php esc_html_e( 'The worker has not read this site yet.', 'community-spotlight' ); ?></p>
		<?php endif; ?>
		<form method="post" action="options.php">
			<?php settings_fields( 'community_spotlight' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="community_spotlight_worker_user"><?php esc_html_e( 'Worker account', 'community-spotlight' ); ?></label></th>
					<td>
						<select name="<?php echo esc_attr( COMMUNITY_SPOTLIGHT_WORKER_OPTION ); ?>" id="community_spotlight_worker_user">
							<option value="0"><?php esc_html_e( '— Choose —', 'community-spotlight' ); ?></option>
							<?php foreach ( $workers as $u ) : ?>
								<option value="<?php echo esc_attr( $u->ID ); ?>" <?php selected( $worker, (int) $u->ID ); ?>><?php echo esc_html( $u->display_name . ' (' . $u->user_login . ')' ); ?></option>
							<?php endforeach; ?>
						</select>
						<p class="description"><?php esc_html_e( 'The user whose Application Password the worker uses. Only this account may publish the spotlight, send notes through the site\'s mail and read comment votes.', 'community-spotlight' ); ?></p>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
		<h2><?php esc_html_e( 'Where the spotlight shows', 'community-spotlight' ); ?></h2>
		<p><?php esc_html_e( 'Add the "Community Spotlight" block to your front page or a sidebar, or put the shortcode [community_spotlight] in any page. It shows what the worker last published and changes by itself each month; a member who opts out in their profile disappears from it at once.', 'community-spotlight' ); ?></p>
		<?php if ( is_array( $data ) && ! empty( $data['members'] ) ) : ?>
			<p>
				<?php
				printf(
					/* translators: 1: the period (YYYY-MM), 2: how many members. */
					esc_html( _n( 'Published for %1$s: %2$d member.', 'Published for %1$s: %2$d members.', count( $data['members'] ), 'community-spotlight' ) ),
					esc_html( $data['period'] ),
					count( $data['members'] )
				);
				?>
			</p>
		<?php endif; ?>
	</div>
	<?php
}
