/**
 * The block in the editor: a preview rendered by the server (the same PHP as on the site), no
 * settings. Plain script against WordPress's globals (wp.blocks, wp.element, wp.serverSideRender),
 * so the plugin needs no build step.
 */
((blocks, element, serverSideRender, blockEditor) => {
  var el = element.createElement;
  blocks.registerBlockType("community-spotlight/spotlight", {
    edit: () =>
      el("div", blockEditor.useBlockProps(), el(serverSideRender, { block: "community-spotlight/spotlight" })),
    save: () => null,
  });
})(window.wp.blocks, window.wp.element, window.wp.serverSideRender, window.wp.blockEditor);
