// Step-up (RFC 9470): `acr` and `max_age` become a constant `StepUp` in the site's static,
// the duration in seconds.
#[authenticate("jwt", acr = any("urn:example:mfa", "urn:example:hwk"), max_age = "5m")]
async fn transfer() {}
