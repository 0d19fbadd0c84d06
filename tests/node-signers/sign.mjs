// An independent signer for tests/algorithms.rs: node's own crypto (OpenSSL), no npm
// package and nothing of jwt-guard. Makes a fresh key pair, prints its public JWK and a
// compact JWS over the claims given, as one JSON object.
//
//   node sign.mjs <ES256K|Ed25519|EdDSA> '<claims as JSON>' [jwk alg]
//       -> {jwk, token}
// The JWK's `alg` is the third argument when given ("-" for none), else the token's alg.
import { generateKeyPairSync, sign } from 'node:crypto';

const [alg, claims, jwkAlg] = process.argv.slice(2);
const kinds = {
  ES256K: ['ec', { namedCurve: 'secp256k1' }],
  Ed25519: ['ed25519', {}],
  EdDSA: ['ed25519', {}],
};
if (!kinds[alg]) {
  console.error(`unknown alg ${alg}`);
  process.exit(2);
}
const { publicKey, privateKey } = generateKeyPairSync(...kinds[alg]);
const jwk = publicKey.export({ format: 'jwk' });
jwk.kid = `node-${alg}-${Date.now()}`;
jwk.use = 'sig';
const named = jwkAlg ?? alg;
if (named !== '-') jwk.alg = named;
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${b64({ alg, typ: 'JWT', kid: jwk.kid })}.${b64(JSON.parse(claims))}`;
// ECDSA as JWS wants it: r || s (IEEE P1363), not DER; Ed25519 hashes nothing first.
const signature = alg === 'ES256K'
  ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  : sign(null, Buffer.from(input), privateKey);
console.log(JSON.stringify({ jwk, token: `${input}.${signature.toString('base64url')}` }));
