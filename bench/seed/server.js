// The seed's strategy, as written on the LoopBack page, on express: a jwks-rsa client is
// built inside every request (so its cache never serves a second request), and the
// token is verified with jsonwebtoken (RS256 only, issuer checked).
// usage: node server.js PORT ISSUER
const express = require("express");
const jwksRsa = require("jwks-rsa");
const jwt = require("jsonwebtoken");

const [port, ISSUER] = process.argv.slice(2);

function extractCredentials(req) {
  if (!req.headers.authorization) throw new Error("Authorization header is missing");
  const value = req.headers.authorization;
  if (!value.startsWith("Bearer ")) throw new Error("Authorization header is not of type Bearer");
  const parts = value.split(" ");
  if (parts.length !== 2) throw new Error("Authorization header value has too many parts.");
  return parts[1];
}

function authenticate(req) {
  const token = extractCredentials(req);
  const client = jwksRsa({ jwksUri: `${ISSUER}/.well-known/jwks.json`, cache: true, cacheMaxAge: 600000 });
  const getKey = (header, callback) => {
    client.getSigningKey(header.kid, (err, key) => (err ? callback(err) : callback(null, key.getPublicKey())));
  };
  return new Promise((resolve, reject) => {
    jwt.verify(token, getKey, { issuer: ISSUER, algorithms: ["RS256"] }, (err, decoded) =>
      err ? reject(new Error(`Invalid token: ${err.message}`)) : resolve(decoded),
    );
  });
}

const app = express();
app.get("/protected", async (req, res) => {
  try {
    await authenticate(req);
    res.json({ message: "Access granted" });
  } catch (err) {
    res.status(401).json({ error: { statusCode: 401, name: "UnauthorizedError", message: err.message } });
  }
});
app.listen(Number(port), "127.0.0.1", () => console.log("ready"));
