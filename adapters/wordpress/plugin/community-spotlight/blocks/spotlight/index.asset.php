<?php
/**
 * The editor script's dependencies (what a build step would write; this one is plain JavaScript).
 *
 * @package CommunitySpotlight
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-element', 'wp-server-side-render', 'wp-block-editor' ),
	'version'      => '1.0.0',
);
