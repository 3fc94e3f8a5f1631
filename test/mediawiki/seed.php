<?php
/**
 * Seeds the test wiki with a community (JSON: users and dated edits) through MediaWiki's own code,
 * so its revisions, logs and tags are what a real wiki stores. Each action runs at its own date
 * (ConvertibleTimestamp's fake time): the month under test happened in the past.
 *
 *   MW_CONFIG_FILE=… php test/mediawiki/seed.php --community FILE
 *
 * users: [{ name, registered, groups?, email?, noMail?, blocked? }]
 * edits: [{ at, user, title, text?, summary?, rollback? }]  rollback: undo the page's last editor
 */
use MediaWiki\MediaWikiServices;
use MediaWiki\Revision\SlotRecord;
use Wikimedia\Timestamp\ConvertibleTimestamp;

require_once getenv( 'MW_INSTALL_PATH' ) . '/maintenance/Maintenance.php';

class SeedCommunity extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addOption( 'community', 'The community (JSON)', true, true );
	}

	private function at( string $iso ): void {
		ConvertibleTimestamp::setFakeTime( ConvertibleTimestamp::convert( TS_MW, strtotime( $iso ) ) );
	}

	public function execute() {
		$spec = json_decode( file_get_contents( $this->getOption( 'community' ) ), true, 512, JSON_THROW_ON_ERROR );
		$services = MediaWikiServices::getInstance();
		$admin = $services->getUserFactory()->newFromName( 'Admin' );
		// Special:EmailUser sends only from an account with a confirmed address.
		$admin->setEmail( 'admin@example.test' );
		$admin->confirmEmail();
		$admin->saveSettings();
		foreach ( $spec['users'] as $u ) {
			$this->at( $u['registered'] );
			$user = User::createNew( $u['name'], isset( $u['email'] )
				? [ 'email' => $u['email'], 'email_authenticated' => wfTimestampNow() ] : [] );
			if ( !$user ) {
				$this->fatalError( "could not create {$u['name']}" );
			}
			foreach ( $u['groups'] ?? [] as $g ) {
				$services->getUserGroupManager()->addUserToGroup( $user, $g );
			}
			if ( !empty( $u['noMail'] ) ) {
				$services->getUserOptionsManager()->setOption( $user, 'disablemail', 1 );
				$services->getUserOptionsManager()->saveOptions( $user );
			}
			if ( !empty( $u['blocked'] ) ) {
				$status = $services->getBlockUserFactory()
					->newBlockUser( $user, $admin, 'infinity', 'test: blocked member' )->placeBlockUnsafe();
				if ( !$status->isOK() ) {
					$this->fatalError( "could not block {$u['name']}" );
				}
			}
		}
		foreach ( $spec['edits'] as $e ) {
			$this->at( $e['at'] );
			$user = $services->getUserFactory()->newFromName( $e['user'] );
			$title = Title::newFromText( $e['title'] );
			$page = $services->getWikiPageFactory()->newFromTitle( $title );
			if ( !empty( $e['rollback'] ) ) {
				$last = $page->getRevisionRecord()->getUser();
				$status = $services->getRollbackPageFactory()
					->newRollbackPage( $page, $user, $last )->rollback();
				if ( !$status->isOK() ) {
					$this->fatalError( "rollback of {$e['title']} failed: " . $status->getWikiText() );
				}
				continue;
			}
			$updater = $page->newPageUpdater( $user );
			$updater->setContent( SlotRecord::MAIN, new WikitextContent( $e['text'] ) );
			$updater->saveRevision( CommentStoreComment::newUnsavedComment( $e['summary'] ?? '' ) );
			if ( !$updater->getStatus()->isOK() ) {
				$this->fatalError( "edit of {$e['title']} failed: " . $updater->getStatus()->getWikiText() );
			}
		}
		ConvertibleTimestamp::setFakeTime( null );
		$this->output( count( $spec['users'] ) . " users, " . count( $spec['edits'] ) . " edits\n" );
	}
}

$maintClass = SeedCommunity::class;
require_once RUN_MAINTENANCE_IF_MAIN;
