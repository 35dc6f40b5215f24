// An OpenID Provider for local runs and tests (oidc-provider, installed by ops/services.d/oidc.sh).
// One issuer at http://127.0.0.1:$OIDC_PROVIDER_PORT with its development login and consent pages:
// any login name signs in, the password is not checked. Never expose it beyond this machine.
//
// Accounts: the fixed ones below, and any other login name as an account of its own, with the
// address <login>@example.com, verified unless the name starts with "unverified": tests sign in
// with fresh names so that no two runs meet.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PROVIDER_PORT || 9010);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  ada: { email: 'ada@example.com', email_verified: true, preferred_username: 'ada' },
  grace: { email: 'grace@example.com', email_verified: true, preferred_username: 'grace' },
  mallory: { email: 'mallory@example.com', email_verified: false, preferred_username: 'mallory' },
};

function claimsOf(login) {
  return ACCOUNTS[login] ?? {
    email: `${login.toLowerCase()}@example.com`,
    email_verified: !login.startsWith('unverified'),
    preferred_username: login,
  };
}

// The service's client, and another application's (an ID token for it is for another audience).
// Native clients: their loopback redirect URIs match on any port (RFC 8252), so a web process
// started by the tests on a free port is welcome; the path must still be the registered one.
const clients = [
  {
    client_id: process.env.OIDC_CLIENT_ID || 'accounts',
    client_secret: process.env.OIDC_CLIENT_SECRET || 'accounts-local-secret',
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/login/local/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  },
  {
    client_id: 'other-app',
    client_secret: 'other-app-secret',
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  },
];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'local-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username'],
  },
  // The claims of the scopes asked for go in the ID token itself, as Google's do: the service
  // reads the address from there.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, ...claimsOf(id) }; } };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
