<?php
/**
 * The REST routes the worker calls (namespace community-spotlight/v1). Every route but the
 * spotlight's public GET is for the worker account only: the user an administrator chose in
 * Settings → Community Spotlight, authenticated (its Application Password), and able to list
 * users. Everyone else gets 401/403.
 *
 * @package CommunitySpotlight
 */

defined( 'ABSPATH' ) || exit;

/** The worker account, and only it. */
function community_spotlight_is_worker() {
	$worker = (int) get_option( COMMUNITY_SPOTLIGHT_WORKER_OPTION, 0 );
	if ( ! is_user_logged_in() ) {
		return new WP_Error( 'rest_not_logged_in', __( 'You are not currently logged in.', 'community-spotlight' ), array( 'status' => 401 ) );
	}
	if ( ! $worker ) {
		return new WP_Error(
			'community_spotlight_no_worker',
			__( 'No worker account is chosen yet: an administrator chooses it in Settings → Community Spotlight.', 'community-spotlight' ),
			array( 'status' => 403 )
		);
	}
	if ( get_current_user_id() !== $worker || ! current_user_can( 'list_users' ) ) {
		return new WP_Error( 'rest_forbidden', __( 'Only the Community Spotlight worker account may do this.', 'community-spotlight' ), array( 'status' => 403 ) );
	}
	return true;
}

function community_spotlight_register_routes() {
	$ns = 'community-spotlight/v1';
	register_rest_route(
		$ns,
		'/status',
		array(
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => 'community_spotlight_rest_status',
				'permission_callback' => 'community_spotlight_is_worker',
			),
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'community_spotlight_rest_report',
				'permission_callback' => 'community_spotlight_is_worker',
				'args'                => array(
					'lastReadAt'   => array( 'type' => 'string', 'format' => 'date-time' ),
					'period'       => array( 'type' => 'string', 'pattern' => '^[0-9]{4}-[0-9]{2}$' ),
					'planStatus'   => array( 'type' => 'string', 'enum' => array( 'prepared', 'approved', 'published' ) ),
					'dashboardUrl' => array( 'type' => 'string', 'format' => 'uri' ),
				),
			),
		)
	);
	register_rest_route(
		$ns,
		'/spotlight',
		array(
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'community_spotlight_rest_publish',
				'permission_callback' => 'community_spotlight_is_worker',
			),
		)
	);
	register_rest_route(
		$ns,
		'/notes',
		array(
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => 'community_spotlight_rest_note_sent',
				'permission_callback' => 'community_spotlight_is_worker',
				'args'                => array(
					'user_id' => array( 'type' => 'integer', 'required' => true, 'minimum' => 1 ),
					'key'     => array( 'type' => 'string', 'required' => true, 'pattern' => '^[a-z0-9:_-]{1,64}$' ),
				),
			),
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => 'community_spotlight_rest_send_note',
				'permission_callback' => 'community_spotlight_is_worker',
				'args'                => array(
					'user_id'         => array( 'type' => 'integer', 'required' => true, 'minimum' => 1 ),
					'key'             => array( 'type' => 'string', 'required' => true, 'pattern' => '^[a-z0-9:_-]{1,64}$' ),
					'subject'         => array( 'type' => 'string', 'required' => true, 'minLength' => 1, 'maxLength' => 200 ),
					'text'            => array( 'type' => 'string', 'required' => true, 'minLength' => 1 ),
					'html'            => array( 'type' => 'string' ),
					'listUnsubscribe' => array( 'type' => 'string', 'format' => 'uri' ),
				),
			),
		)
	);
	register_rest_route(
		$ns,
		'/votes',
		array(
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => 'community_spotlight_rest_votes',
				'permission_callback' => 'community_spotlight_is_worker',
				'args'                => array(
					'after'  => array( 'type' => 'integer', 'required' => true, 'minimum' => 0 ),
					'before' => array( 'type' => 'integer', 'required' => true, 'minimum' => 0 ),
					'offset' => array( 'type' => 'integer', 'default' => 0, 'minimum' => 0 ),
				),
			),
		)
	);
}

/** What the worker and the admin page need to know about this site's plugin. */
function community_spotlight_rest_status() {
	return array(
		'version'  => COMMUNITY_SPOTLIGHT_VERSION,
		'votes'    => community_spotlight_votes_source(),
		'reported' => get_option( COMMUNITY_SPOTLIGHT_STATUS_OPTION, null ),
	);
}

/**
 * The worker says when it last read the site, which period, where that period's plan is, and
 * where its dashboard is (the admin page shows it). What a report leaves out stays as it was; a
 * new period forgets the last one's plan status.
 */
function community_spotlight_rest_report( WP_REST_Request $request ) {
	$status = get_option( COMMUNITY_SPOTLIGHT_STATUS_OPTION );
	$status = is_array( $status ) ? $status : array();
	if ( isset( $request['period'] ) && ( $status['period'] ?? '' ) !== $request['period'] ) {
		unset( $status['planStatus'] );
	}
	foreach ( array( 'lastReadAt', 'period', 'planStatus' ) as $field ) {
		if ( isset( $request[ $field ] ) ) {
			$status[ $field ] = (string) $request[ $field ];
		}
	}
	if ( isset( $request['dashboardUrl'] ) ) {
		$status['dashboardUrl'] = esc_url_raw( (string) $request['dashboardUrl'] );
	}
	$status['reportedAt'] = gmdate( 'c' );
	update_option( COMMUNITY_SPOTLIGHT_STATUS_OPTION, $status, false );
	return $status;
}

/**
 * A member's name or a title as they wrote it: valid UTF-8 on one line, without control
 * characters. Not sanitize_text_field(), which would drop what looks like a tag from a name
 * (a member called "<b>Ana</b>" is shown as that); every value is escaped when printed.
 */
function community_spotlight_text( $value ) {
	$value = wp_check_invalid_utf8( (string) $value, true );
	return trim( (string) preg_replace( '/[\x00-\x1F\x7F]+/u', ' ', $value ) );
}

/** Store the published spotlight the block and shortcode render (plain values; escaped when printed). */
function community_spotlight_rest_publish( WP_REST_Request $request ) {
	$body    = $request->get_json_params();
	$members = array();
	foreach ( (array) ( $body['members'] ?? array() ) as $m ) {
		if ( ! is_array( $m ) || empty( $m['user_id'] ) ) {
			continue;
		}
		$highlights = array();
		foreach ( (array) ( $m['highlights'] ?? array() ) as $h ) {
			$highlights[] = array(
				'title' => community_spotlight_text( (string) ( $h['title'] ?? '' ) ),
				'url'   => esc_url_raw( (string) ( $h['url'] ?? '' ) ),
				'kind'  => community_spotlight_text( (string) ( $h['kind'] ?? '' ) ),
			);
		}
		$members[] = array(
			'user_id'     => absint( $m['user_id'] ),
			'name'        => community_spotlight_text( (string) ( $m['name'] ?? '' ) ),
			'profile_url' => esc_url_raw( (string) ( $m['profile_url'] ?? '' ) ),
			'avatar_url'  => esc_url_raw( (string) ( $m['avatar_url'] ?? '' ) ),
			'slot'        => community_spotlight_text( (string) ( $m['slot'] ?? '' ) ),
			'summary'     => community_spotlight_text( (string) ( $m['summary'] ?? '' ) ),
			'highlights'  => $highlights,
			'quote'       => community_spotlight_text( (string) ( $m['quote'] ?? '' ) ),
		);
	}
	$data    = array(
		'period'  => community_spotlight_text( (string) ( $body['period'] ?? '' ) ),
		'lang'    => community_spotlight_text( (string) ( $body['lang'] ?? '' ) ),
		'heading' => community_spotlight_text( (string) ( $body['heading'] ?? '' ) ),
		'intro'   => community_spotlight_text( (string) ( $body['intro'] ?? '' ) ),
		'outro'   => community_spotlight_text( (string) ( $body['outro'] ?? '' ) ),
		'members' => $members,
	);
	$changed = get_option( COMMUNITY_SPOTLIGHT_DATA_OPTION ) !== $data;
	if ( $changed ) {
		update_option( COMMUNITY_SPOTLIGHT_DATA_OPTION, $data, true );
	}
	return array( 'changed' => $changed );
}

/** Whether a note with this key was sent to this member (the worker asks after losing its store). */
function community_spotlight_rest_note_sent( WP_REST_Request $request ) {
	$at = get_user_meta( (int) $request['user_id'], COMMUNITY_SPOTLIGHT_NOTE_META_PREFIX . $request['key'], true );
	return array( 'sent' => (bool) $at, 'at' => $at ? (string) $at : null );
}

/**
 * One note through the site's own mail (wp_mail: the admin's mail setup and plugins apply),
 * exactly once per member and key: the mark goes in the member's meta before the mail, and is
 * taken back if wp_mail says it failed.
 */
function community_spotlight_rest_send_note( WP_REST_Request $request ) {
	$user = get_userdata( (int) $request['user_id'] );
	if ( ! $user ) {
		return new WP_Error( 'community_spotlight_no_user', __( 'No such member.', 'community-spotlight' ), array( 'status' => 404 ) );
	}
	if ( community_spotlight_opted_out( $user->ID ) ) {
		return array( 'status' => 'opted_out' );
	}
	if ( ! is_email( $user->user_email ) ) {
		return array( 'status' => 'no_address' );
	}
	$meta = COMMUNITY_SPOTLIGHT_NOTE_META_PREFIX . $request['key'];
	if ( ! add_user_meta( $user->ID, $meta, gmdate( 'c' ), true ) ) {
		return array(
			'status' => 'already_sent',
			'at'     => (string) get_user_meta( $user->ID, $meta, true ),
		);
	}
	$headers = array();
	if ( ! empty( $request['listUnsubscribe'] ) ) {
		$headers[] = 'List-Unsubscribe: <' . esc_url_raw( (string) $request['listUnsubscribe'] ) . '>';
		$headers[] = 'List-Unsubscribe-Post: List-Unsubscribe=One-Click';
	}
	$html = (string) $request['html'];
	$text = (string) $request['text'];
	$alt  = static function ( $phpmailer ) use ( $text ) {
		$phpmailer->AltBody = $text; // phpcs:ignore WordPress.NamingConventions.ValidVariableName -- PHPMailer's.
	};
	if ( '' !== $html ) {
		$headers[] = 'Content-Type: text/html; charset=UTF-8';
		add_action( 'phpmailer_init', $alt );
	}
	$sent = wp_mail( $user->user_email, (string) $request['subject'], '' !== $html ? $html : $text, $headers );
	remove_action( 'phpmailer_init', $alt );
	if ( ! $sent ) {
		delete_user_meta( $user->ID, $meta );
		return new WP_Error( 'community_spotlight_mail_failed', __( 'The site could not send the e-mail (wp_mail failed).', 'community-spotlight' ), array( 'status' => 502 ) );
	}
	return array( 'status' => 'sent' );
}

/** Where the site's comment votes are, when a plugin that keeps them is active. */
function community_spotlight_votes_source() {
	global $wpdb;
	$table = $wpdb->prefix . 'wc_users_voted';
	return $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) ) === $table ? 'wpdiscuz' : null;
}

/**
 * Up-votes members gave to approved comments between two Unix times, 500 a page: wpDiscuz's
 * wc_users_voted (includes/class.WpdiscuzDBManager.php, dbCreateTables: user_id VARCHAR(32),
 * comment_id, vote_type 1 or -1, is_guest, post_id, date as a Unix time). Guests' votes and
 * down-votes are left out; so are votes for one's own comment, and comments the public cannot
 * see (not approved, or on a post that is not published or has a password).
 */
function community_spotlight_rest_votes( WP_REST_Request $request ) {
	global $wpdb;
	if ( 'wpdiscuz' !== community_spotlight_votes_source() ) {
		return array( 'source' => null, 'votes' => array() );
	}
	$table = $wpdb->prefix . 'wc_users_voted';
	$rows  = $wpdb->get_results( // phpcs:ignore WordPress.DB.DirectDatabaseQuery -- another plugin's table, read only.
		$wpdb->prepare(
			"SELECT v.id, v.user_id AS voter, v.comment_id, v.date, c.user_id AS author, c.comment_post_ID AS post_id
			FROM `{$table}` v JOIN {$wpdb->comments} c ON c.comment_ID = v.comment_id
				JOIN {$wpdb->posts} p ON p.ID = c.comment_post_ID
			WHERE v.is_guest = 0 AND v.vote_type > 0 AND v.date >= %d AND v.date < %d
				AND c.comment_approved = '1' AND c.user_id > 0 AND c.user_id <> v.user_id
				AND p.post_status = 'publish' AND p.post_password = ''
			ORDER BY v.id LIMIT 500 OFFSET %d",
			(int) $request['after'],
			(int) $request['before'],
			(int) $request['offset']
		),
		ARRAY_A
	);
	$votes = array();
	foreach ( (array) $rows as $r ) {
		if ( ! ctype_digit( (string) $r['voter'] ) ) {
			continue; // A guest's hashed address, whatever is_guest says.
		}
		$votes[] = array(
			'id'        => (int) $r['id'],
			'voterId'   => (int) $r['voter'],
			'commentId' => (int) $r['comment_id'],
			'postId'    => (int) $r['post_id'],
			'authorId'  => (int) $r['author'],
			'at'        => gmdate( 'c', (int) $r['date'] ),
			'url'       => get_comment_link( (int) $r['comment_id'] ),
		);
	}
	return array( 'source' => 'wpdiscuz', 'votes' => $votes );
}
