// A real OpenID Connect provider (the certified panva/oidc-provider) for the identity tests.
// Environment: PORT (required), REDIRECT_URIS (comma-separated, for both test clients).
// It serves http://127.0.0.1:PORT with two confidential clients, PKCE required, development
// interactions (any password is accepted for the test users below) and the users' claims
// in the ID token.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!port) {
  console.error('PORT is required');
  process.exit(2);
}
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

// Test users: login name -> claims. Keep in step with tests/oidc/users.json.
import { readFileSync } from 'node:fs';
const users = JSON.parse(readFileSync(new URL('./users.json', import.meta.url), 'utf8'));

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret-for-tests-only`,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [client('civica'), client('another-app')],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: {
    openid: ['sub'],
    civica: ['national_id', 'birthdate', 'residence', 'status'],
  },
  scopes: ['openid', 'civica'],
  // Put the scope's claims in the ID token itself, as eID gateways commonly do.
  conformIdTokenClaims: false,
  cookies: { keys: ['civica-test-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...user };
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});

const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
