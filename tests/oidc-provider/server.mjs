// A real authorization server for tests/introspection.rs: panva's oidc-provider with
// client credentials, token introspection (RFC 7662, and its JWT responses of RFC 9701)
// and revocation (RFC 7009). Listens on 127.0.0.1 only.
//
//   node server.mjs PORT
//
// Environment: PKJWT_JWK, the public JWK (JSON) the `rs-jwt` client signs its
// private_key_jwt assertions with. Prints `listening <issuer>` once it accepts requests,
// and one line `introspect <client_id>` per introspection request (the suite counts
// them), on stdout.
//
// Clients:
// - `app` (client_secret_basic): gets tokens with client_credentials, scopes
//   `api:read api:write`; opaque without a resource, a JWT access token for the resource
//   `urn:jwt-guard:api`; bound to a key when the request carries a DPoP proof.
// - `rs-basic`, `rs-post`, `rs-jwt`: the resource server introspecting them with
//   client_secret_basic, client_secret_post and private_key_jwt (ES256).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node server.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const rsJwk = JSON.parse(process.env.PKJWT_JWK ?? 'null');
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const API = 'urn:jwt-guard:api';
const none = { grant_types: [], response_types: [], redirect_uris: [] };

const clients = [
  {
    client_id: 'app',
    client_secret: 'app-secret-0123456789',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api:read api:write',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  { ...none, client_id: 'rs-basic', client_secret: 'rs-basic-secret-0123456789', token_endpoint_auth_method: 'client_secret_basic' },
  { ...none, client_id: 'rs-post', client_secret: 'rs-post-secret-0123456789', token_endpoint_auth_method: 'client_secret_post' },
];
if (rsJwk) {
  clients.push({
    ...none,
    client_id: 'rs-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [rsJwk] },
  });
}

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [{ ...signing, kid: 'as-1', use: 'sig', alg: 'RS256' }] },
  scopes: ['api:read', 'api:write'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // DPoP-bound tokens (RFC 9449): their introspection carries cnf.jkt.
    dPoP: { enabled: true },
    introspection: {
      enabled: true,
      // Resource servers may introspect any token.
      allowedPolicy: async () => true,
    },
    jwtIntrospection: { enabled: true },
    revocation: { enabled: true, allowedPolicy: async () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== API) throw new Error('unknown resource');
        return {
          scope: 'api:read api:write',
          audience: API,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/token/introspection') {
    await next();
    console.log(`introspect ${ctx.oidc?.client?.clientId ?? '-'}`);
    return;
  }
  await next();
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
