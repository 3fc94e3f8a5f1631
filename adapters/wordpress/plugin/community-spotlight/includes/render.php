<?php
/**
 * The spotlight on the site: a dynamic block (community-spotlight/spotlight) and a shortcode
 * ([community_spotlight]), both rendered on the server from what the worker last published
 * (the option community_spotlight_data), so the page changes without anyone editing it, and a
 * member who opts out disappears at once. Every value is escaped where it is printed.
 *
 * @package CommunitySpotlight
 */

defined( 'ABSPATH' ) || exit;

function community_spotlight_register_render() {
	add_shortcode( 'community_spotlight', 'community_spotlight_render' );
	register_block_type(
		COMMUNITY_SPOTLIGHT_DIR . 'blocks/spotlight',
		array( 'render_callback' => 'community_spotlight_render' )
	);
}

/** The members to show now: published, and not opted out since. */
function community_spotlight_members( $data ) {
	$members = array();
	foreach ( (array) ( $data['members'] ?? array() ) as $m ) {
		if ( ! is_array( $m ) || empty( $m['user_id'] ) || community_spotlight_opted_out( $m['user_id'] ) ) {
			continue;
		}
		$members[] = $m;
	}
	return $members;
}

/** The spotlight's HTML (empty when nothing was published yet). */
function community_spotlight_render() {
	$data = get_option( COMMUNITY_SPOTLIGHT_DATA_OPTION );
	if ( ! is_array( $data ) ) {
		return '';
	}
	$members = community_spotlight_members( $data );
	if ( ! $members ) {
		return '';
	}
	$lang = isset( $data['lang'] ) ? (string) $data['lang'] : '';
	ob_start();
	?>
	<section class="community-spotlight"<?php echo $lang ? ' lang="' . esc_attr( $lang ) . '"' : ''; ?>>
		<h2 class="community-spotlight__heading"><?php echo esc_html( (string) ( $data['heading'] ?? '' ) ); ?></h2>
		<p class="community-spotlight__intro"><?php echo esc_html( (string) ( $data['intro'] ?? '' ) ); ?></p>
		<ul class="community-spotlight__members">
			<?php foreach ( $members as $m ) : ?>
				<li class="community-spotlight__member">
					<?php if ( esc_url( (string) ( $m['avatar_url'] ?? '' ) ) ) : ?>
						<img class="community-spotlight__avatar" src="<?php echo esc_url( $m['avatar_url'] ); ?>" alt="" width="48" height="48" loading="lazy" />
					<?php endif; ?>
					<div class="community-spotlight__body">
						<p class="community-spotlight__name">
							<bdi>
							<?php if ( esc_url( (string) ( $m['profile_url'] ?? '' ) ) ) : ?>
								<a href="<?php echo esc_url( $m['profile_url'] ); ?>"><?php echo esc_html( (string) ( $m['name'] ?? '' ) ); ?></a>
							<?php else : ?>
								<?php echo esc_html( (string) ( $m['name'] ?? '' ) ); ?>
							<?php endif; ?>
							</bdi>
							<span class="community-spotlight__slot"><?php echo esc_html( (string) ( $m['slot'] ?? '' ) ); ?></span>
						</p>
						<p class="community-spotlight__summary"><?php echo esc_html( (string) ( $m['summary'] ?? '' ) ); ?></p>
						<?php if ( ! empty( $m['highlights'] ) && is_array( $m['highlights'] ) ) : ?>
							<ul class="community-spotlight__highlights">
								<?php foreach ( $m['highlights'] as $h ) : ?>
									<?php $community_spotlight_href = esc_url( (string) ( $h['url'] ?? '' ) ); ?>
									<li>
									<?php if ( $community_spotlight_href ) : ?>
										<a href="<?php echo $community_spotlight_href; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- esc_url above. ?>"><?php echo esc_html( (string) ( $h['title'] ?? '' ) ); ?></a>
									<?php else : ?>
										<?php echo esc_html( (string) ( $h['title'] ?? '' ) ); ?>
									<?php endif; ?>
										<span class="community-spotlight__kind">(<?php echo esc_html( (string) ( $h['kind'] ?? '' ) ); ?>)</span></li>
								<?php endforeach; ?>
							</ul>
						<?php endif; ?>
						<?php if ( ! empty( $m['quote'] ) ) : ?>
							<p class="community-spotlight__quote"><?php echo esc_html( (string) $m['quote'] ); ?></p>
						<?php endif; ?>
					</div>
				</li>
			<?php endforeach; ?>
		</ul>
		<p class="community-spotlight__outro"><?php echo esc_html( (string) ( $data['outro'] ?? '' ) ); ?></p>
	</section>
	<?php
	return (string) ob_get_clean();
}
