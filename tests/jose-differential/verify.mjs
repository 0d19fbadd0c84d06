// The reference side of tests/jose.rs: panva's `jose` verifies each case read from stdin
// (one JSON object a line) and writes its verdict on stdout (one JSON object a line), in
// order, so that one node process serves a whole run.
//
// A case: { id, jwks (the JWK Set document's text), token, issuers, algorithms, audience
// (or null), requireExp, nowMs }. A verdict: { id, ok, code, claim, message }.
//
// Settings are jwt-guard's: the issuers, the algorithm allow-list, zero clock tolerance,
// `exp` required when jwt-guard requires it, the audience when one is set, and a fixed
// time (`currentDate`).
//
// Keys come from jose's `createLocalJWKSet`, which never hands out secrets (it refuses
// HS* by design). For the HS* settings the key is found by the same rule, which local.js
// applies (`isUsableJWK`, copied below with `kty` "oct"), and imported with jose's
// `importJWK`: so HMAC tokens are checked by jose too, with the same key set.
import { createInterface } from 'node:readline';
import { createLocalJWKSet, importJWK, jwtVerify, errors } from 'jose';

function isUsableSecret(jwk, alg, kid) {
  const { kty, key_ops: keyOps, ext, kid: jwkKid, alg: jwkAlg, use } = jwk;
  return (ext === undefined || typeof ext === 'boolean')
    && (keyOps === undefined || (Array.isArray(keyOps)
      && keyOps.every((op, i) => typeof op === 'string' && keyOps.indexOf(op) === i)
      && keyOps.includes('verify')))
    && kty === 'oct'
    && (kid === undefined || (typeof kid === 'string' && kid === jwkKid))
    && (jwkAlg === undefined || alg === jwkAlg)
    && (use === undefined || use === 'sig');
}

function secretSet(jwks) {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)
    || !jwks.keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new errors.JWKSInvalid('JSON Web Key Set malformed');
  }
  return async (protectedHeader) => {
    const { alg, kid } = protectedHeader;
    const candidates = jwks.keys.filter((jwk) => isUsableSecret(jwk, alg, kid));
    if (candidates.length === 0) throw new errors.JWKSNoMatchingKey();
    if (candidates.length > 1) throw new errors.JWKSMultipleMatchingKeys();
    return importJWK(candidates[0], alg);
  };
}

async function verify(c) {
  const jwks = JSON.parse(c.jwks);
  const hmac = c.algorithms.every((a) => a.startsWith('HS'));
  const keys = hmac ? secretSet(jwks) : createLocalJWKSet(jwks);
  const options = {
    issuer: c.issuers.length === 1 ? c.issuers[0] : c.issuers,
    algorithms: c.algorithms,
    clockTolerance: 0,
    currentDate: new Date(c.nowMs),
    requiredClaims: c.requireExp ? ['exp'] : [],
  };
  if (c.audience !== null) options.audience = c.audience;
  await jwtVerify(c.token, keys, options);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line) continue;
  const c = JSON.parse(line);
  let verdict;
  try {
    await verify(c);
    verdict = { id: c.id, ok: true };
  } catch (err) {
    verdict = {
      id: c.id,
      ok: false,
      code: typeof err?.code === 'string' ? err.code : (err?.name ?? 'unknown'),
      claim: err?.claim ?? null,
      message: String(err?.message ?? err).slice(0, 200),
    };
  }
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
}
