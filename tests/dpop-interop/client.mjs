// Independent clients for jwt-guard's tests (tests/dpop_interop.rs), written against
// panva's `dpop` (RFC 9449 proofs) and `oauth4webapi` (RFC 9728 discovery, WWW-Authenticate
// parsing) from npm — not against jwt-guard's own code. Prints one JSON object.
//
//   node client.mjs keygen <alg>                     -> {jkt, publicJwk, privateJwk}
//   node client.mjs request <impl> <alg> <keyfile> <method> <url> <token>
//       impl `dpop`: proofs by npm `dpop`, sent with fetch; a use_dpop_nonce 401 retried once
//       impl `oauth4webapi`: oauth4webapi's protectedResourceRequest with its own DPoP
//       -> {status, body, challenges, retried} (impl `dpop`: and proofAlg, the proof's alg)
//   node client.mjs discover <url> <resource>        -> {status, challenges, metadata, viaResource}
import { readFileSync } from 'node:fs';
import * as DPoP from 'dpop';
import * as oauth from 'oauth4webapi';

const [command, ...args] = process.argv.slice(2);

const params = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  // npm `dpop` 2.x names Ed25519 proofs by the fully-specified `Ed25519` (RFC 9864).
  Ed25519: { name: 'Ed25519' },
};

/// The challenges of a response as oauth4webapi parses them (it throws them on a 401).
async function challenges(url) {
  try {
    await oauth.protectedResourceRequest('x', 'GET', new URL(url), undefined, null, {
      [oauth.allowInsecureRequests]: true,
    });
    return [];
  } catch (err) {
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      return err.cause.map((c) => ({ scheme: c.scheme, parameters: c.parameters }));
    }
    throw err;
  }
}

async function keygen(alg) {
  const keyPair = await DPoP.generateKeyPair(alg, { extractable: true });
  return {
    jkt: await DPoP.calculateThumbprint(keyPair.publicKey),
    publicJwk: await crypto.subtle.exportKey('jwk', keyPair.publicKey),
    privateJwk: await crypto.subtle.exportKey('jwk', keyPair.privateKey),
  };
}

async function loadKeyPair(alg, keyfile) {
  const saved = JSON.parse(readFileSync(keyfile, 'utf8'));
  return {
    privateKey: await crypto.subtle.importKey('jwk', saved.privateJwk, params[alg], false, ['sign']),
    publicKey: await crypto.subtle.importKey('jwk', saved.publicJwk, params[alg], true, ['verify']),
  };
}

async function request(impl, alg, keyfile, method, url, token) {
  const keyPair = await loadKeyPair(alg, keyfile);
  return impl === 'oauth4webapi'
    ? viaOauth4webapi(keyPair, method, url, token)
    : viaDpop(keyPair, method, url, token);
}

async function viaDpop(keyPair, method, url, token) {
  let nonce;
  let retried = false;
  for (;;) {
    const proof = await DPoP.generateProof(keyPair, url, method, nonce, token);
    const response = await fetch(url, {
      method,
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    const challenge = response.headers.get('www-authenticate');
    if (response.status === 401 && challenge?.includes('use_dpop_nonce') && !retried) {
      nonce = response.headers.get('dpop-nonce');
      retried = true;
      continue;
    }
    // The `alg` npm `dpop` put in the proof's header.
    const proofAlg = JSON.parse(Buffer.from(proof.split('.')[0], 'base64url').toString()).alg;
    return { status: response.status, body: await response.text(), challenge, retried, proofAlg };
  }
}

async function viaOauth4webapi(keyPair, method, url, token) {
  const DPoPHandle = oauth.DPoP({ client_id: 'jwt-guard-interop' }, keyPair);
  const options = { DPoP: DPoPHandle, [oauth.allowInsecureRequests]: true };
  let retried = false;
  for (;;) {
    try {
      const response = await oauth.protectedResourceRequest(token, method, new URL(url), undefined, null, options);
      return { status: response.status, body: await response.text(), challenges: [], retried };
    } catch (err) {
      if (!(err instanceof oauth.WWWAuthenticateChallengeError)) throw err;
      // oauth4webapi keeps the DPoP-Nonce of the 401 for the next proof.
      if (oauth.isDPoPNonceError(err) && !retried) {
        retried = true;
        continue;
      }
      const parsed = err.cause.map((c) => ({ scheme: c.scheme, parameters: c.parameters }));
      return { status: err.status, body: await err.response.text(), challenges: parsed, retried };
    }
  }
}

async function discover(url, resource) {
  const parsed = await challenges(url);
  const withMetadata = parsed.find((c) => c.parameters.resource_metadata);
  if (!withMetadata) {
    return { challenges: parsed, metadata: null };
  }
  // The metadata URL from the 401, validated by oauth4webapi against the resource.
  const fromChallenge = await fetch(withMetadata.parameters.resource_metadata);
  const metadata = await oauth.processResourceDiscoveryResponse(new URL(resource), fromChallenge);
  // And oauth4webapi's own discovery from the resource identifier (RFC 9728 §3.1).
  const viaResource = await oauth.processResourceDiscoveryResponse(
    new URL(resource),
    await oauth.resourceDiscoveryRequest(new URL(resource), { [oauth.allowInsecureRequests]: true }),
  );
  return { challenges: parsed, metadata, viaResource };
}

const run = { keygen, request, discover }[command];
if (!run) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
console.log(JSON.stringify(await run(...args)));
