// Renders the service's AsyncAPI document into #asyncapi; a file, not inline, so the page's CSP needs no inline scripts.
AsyncApiStandalone.render(
  {
    schema: { url: '/asyncapi.yaml', options: { method: 'GET' } },
    config: { show: { sidebar: true, errors: true }, sidebar: { showOperations: 'byDefault' } },
  },
  document.getElementById('asyncapi'),
);
