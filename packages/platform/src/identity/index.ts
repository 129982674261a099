/** Who a bearer token belongs to: development tokens and OIDC access tokens, one verifier (README, "Identity"). */
export * from './claims';
export * from './config';
export * from './verifier';
