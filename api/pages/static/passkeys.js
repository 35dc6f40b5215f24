// Passkeys on the pages: the one script they run, and all it does.
//
// A form marked data-passkey="create" (add a passkey) or data-passkey="get" (sign with one)
// carries the options the server made for it in data-passkey-options: WebAuthn's JSON form,
// binary values in base64url. Sending the form asks the browser for a passkey with them, puts
// the answer in the form's hidden `credential` field (JSON, as PublicKeyCredential.toJSON()
// writes it) and sends the form on, with its CSRF token like any other. When the browser gives
// no answer (cancelled, timed out, no passkey here), the form goes without one and the page
// that comes back says so. Nothing is fetched: the server sees only the forms.
"use strict";

function bytesOf(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
}

function base64urlOf(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withBinaryIds(descriptors) {
  return (descriptors || []).map((d) => ({ ...d, id: bytesOf(d.id) }));
}

function creationOptions(json) {
  return {
    ...json,
    challenge: bytesOf(json.challenge),
    user: { ...json.user, id: bytesOf(json.user.id) },
    excludeCredentials: withBinaryIds(json.excludeCredentials),
  };
}

function requestOptions(json) {
  return {
    ...json,
    challenge: bytesOf(json.challenge),
    allowCredentials: withBinaryIds(json.allowCredentials),
  };
}

function credentialJson(credential) {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: base64urlOf(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: base64urlOf(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = base64urlOf(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = base64urlOf(response.authenticatorData);
    json.response.signature = base64urlOf(response.signature);
    json.response.userHandle = response.userHandle ? base64urlOf(response.userHandle) : null;
  }
  return json;
}

function askForPasskey(kind, options) {
  if (kind === "create") {
    return navigator.credentials.create({ publicKey: creationOptions(options) });
  }
  return navigator.credentials.get({ publicKey: requestOptions(options) });
}

for (const form of document.querySelectorAll("form[data-passkey]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = form.elements.namedItem("credential");
    answer.value = "";
    try {
      const options = JSON.parse(form.dataset.passkeyOptions);
      const credential = await askForPasskey(form.dataset.passkey, options);
      if (credential) {
        answer.value = JSON.stringify(credentialJson(credential));
      }
    } catch (refused) {
      // No answer: the form goes without one, and the page that comes back says so.
    }
    form.submit();
  });
}
