// The MCP TypeScript SDK (`@modelcontextprotocol/sdk`, npm) as a client of jwt-guard's MCP
// resource-server profile (tests/mcp_interop.rs): its streamable-HTTP transport, its
// `Client`, and its OAuth helpers (RFC 9728 discovery from a 401, scope selection,
// step-up on a 403 insufficient_scope) — not jwt-guard's code. Prints one JSON object.
//
//   node client.mjs discover <mcpUrl> <issuer>
//       without a token: the 401 as the SDK parses it, the metadata it discovers (from
//       the challenge, and from the well-known path), the resource it selects, and the
//       authorization request its transport builds from our 401
//   node client.mjs call <mcpUrl> <token>
//       the token in requestInit headers: initialize, tools/list, tools/call
//   node client.mjs insufficient <mcpUrl> <issuer> <token>
//       a token without the scope: the 403 as the SDK parses it, and the authorization
//       request of its step-up (SEP-835) built from our 403
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  UnauthorizedError,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  selectResourceURL,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const [command, ...args] = process.argv.slice(2);

const clientInfo = { name: 'jwt-guard-mcp-interop', version: '1.0.0' };

/// The initialize request the SDK's Client sends first.
const initialize = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo },
};

/// A fetch that records every URL the SDK requests (observation only: it forwards).
function recordingFetch(seen) {
  return async (url, init) => {
    const response = await fetch(url, init);
    seen.push({ url: String(url), method: init?.method ?? 'GET', status: response.status });
    return response;
  };
}

/// An OAuth client provider as an MCP host keeps one: a pre-registered client of the
/// authorization server it already knows, optionally holding a token. Authorization
/// requests are recorded instead of opening a browser.
function provider(issuer, token, redirects) {
  const authorizationServerMetadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
  return {
    get redirectUrl() { return 'http://127.0.0.1:1/callback'; },
    get clientMetadata() {
      return { client_name: clientInfo.name, redirect_uris: ['http://127.0.0.1:1/callback'] };
    },
    clientInformation: () => ({ client_id: 'mcp-interop' }),
    tokens: () => (token ? { access_token: token, token_type: 'Bearer' } : undefined),
    saveTokens: () => {},
    saveCodeVerifier: () => {},
    codeVerifier: () => 'unused',
    discoveryState: () => ({ authorizationServerUrl: issuer, authorizationServerMetadata }),
    saveDiscoveryState: () => {},
    redirectToAuthorization: (url) => { redirects.push(url); },
  };
}

/// What an authorization request asks for.
function asked(url) {
  return url && {
    endpoint: `${url.origin}${url.pathname}`,
    scope: url.searchParams.get('scope'),
    resource: url.searchParams.get('resource'),
    client_id: url.searchParams.get('client_id'),
  };
}

async function discover(mcpUrl, issuer) {
  // 1. The 401, as the SDK's transport receives it and parses it.
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(initialize),
  });
  const params = extractWWWAuthenticateParams(response);
  // 2. The metadata, from the challenge's URL and from the well-known path alone.
  const metadata = await discoverOAuthProtectedResourceMetadata(mcpUrl, {
    resourceMetadataUrl: params.resourceMetadataUrl,
  });
  const wellKnown = await discoverOAuthProtectedResourceMetadata(mcpUrl);
  // 3. The resource indicator the SDK would ask tokens for (it checks it against the URL).
  const redirects = [];
  const selected = await selectResourceURL(mcpUrl, provider(issuer, undefined, redirects), metadata);
  // 4. The whole flow in the SDK's transport: our 401 starts its authorization.
  const seen = [];
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: provider(issuer, undefined, redirects),
    fetch: recordingFetch(seen),
  });
  let thrown;
  try {
    await new Client(clientInfo).connect(transport);
  } catch (err) {
    thrown = err instanceof UnauthorizedError ? 'UnauthorizedError' : String(err);
  }
  return {
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    resourceMetadataUrl: params.resourceMetadataUrl?.href ?? null,
    scope: params.scope ?? null,
    error: params.error ?? null,
    metadata,
    wellKnownResource: wellKnown.resource,
    selectedResource: selected?.href ?? null,
    thrown,
    fetched: seen,
    authorization: asked(redirects.at(-1)),
  };
}

async function call(mcpUrl, token) {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client(clientInfo);
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    const result = await client.callTool({ name: 'whoami', arguments: { greeting: 'hi' } });
    await client.close();
    return {
      ok: true,
      server: client.getServerVersion(),
      protocolVersion: transport.protocolVersion ?? null,
      tools: tools.map((t) => t.name),
      text: result.content?.[0]?.text ?? null,
      isError: result.isError ?? false,
    };
  } catch (err) {
    return {
      ok: false,
      code: err instanceof StreamableHTTPError ? err.code : null,
      message: String(err?.message ?? err),
    };
  }
}

async function insufficient(mcpUrl, issuer, token) {
  // Without an auth provider the SDK only reports the status.
  const plain = await call(mcpUrl, token);
  // With one, it reads our 403 and asks for the scope it names.
  const seen = [];
  const redirects = [];
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: provider(issuer, token, redirects),
    fetch: recordingFetch(seen),
  });
  let thrown;
  try {
    await new Client(clientInfo).connect(transport);
  } catch (err) {
    thrown = err instanceof UnauthorizedError ? 'UnauthorizedError' : String(err);
  }
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify(initialize),
  });
  const params = extractWWWAuthenticateParams(response);
  return {
    plain,
    thrown,
    fetched: seen,
    status: response.status,
    error: params.error ?? null,
    scope: params.scope ?? null,
    resourceMetadataUrl: params.resourceMetadataUrl?.href ?? null,
    authorization: asked(redirects.at(-1)),
  };
}

const commands = { discover, call, insufficient };
if (!commands[command]) {
  console.error(`usage: node client.mjs discover|call|insufficient ...`);
  process.exit(2);
}
const out = await commands[command](...args);
console.log(JSON.stringify(out));
