// Builds Status Lists with @sd-jwt/jwt-status-list (an implementation of
// draft-ietf-oauth-status-list we did not write) and prints the JOSE header and claims of
// each Status List Token, for jwt-guard's tests/status_list.rs to sign with its test key.
//
//   node lists.mjs '<json>'
//
// <json> is an array of specs: {"bits": 1|2|4|8, "size": N, "statuses": {"idx": value},
// "claims": {...}, "header": {...}}. "claims" are added to the token's payload (sub, iat,
// exp, ttl, ...); "header" replaces the defaults ({"alg": "RS256", "typ": "statuslist+jwt"}).
// Prints a JSON array of {"header": ..., "payload": ..., "lst": ..., "check": [...]} where
// "check" reads every status set back with the package's own decoder.
import {
  StatusList,
  createHeaderAndPayload,
} from "@sd-jwt/jwt-status-list";

const specs = JSON.parse(process.argv[2] ?? "[]");
const out = specs.map((spec) => {
  const values = new Array(spec.size).fill(0);
  for (const [idx, value] of Object.entries(spec.statuses ?? {})) {
    values[Number(idx)] = value;
  }
  const list = new StatusList(values, spec.bits);
  const header = { alg: "RS256", typ: "statuslist+jwt", ...(spec.header ?? {}) };
  const { header: h, payload } = createHeaderAndPayload(list, { ...(spec.claims ?? {}) }, header);
  const decoded = StatusList.decompressStatusList(payload.status_list.lst, spec.bits);
  const check = Object.keys(spec.statuses ?? {}).map((idx) => [Number(idx), decoded.getStatus(Number(idx))]);
  return { header: h, payload, lst: payload.status_list.lst, check };
});
process.stdout.write(JSON.stringify(out));
