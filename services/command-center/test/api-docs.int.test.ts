import { buildAsyncApi, buildOpenApi } from '@lifeline/contracts/docs';
import { http } from '@lifeline/testkit';

describe('API documents over HTTP', () => {
  it('serves the OpenAPI document without a token, equal to the generated one', async () => {
    const answer = await http('GET', '/v1/openapi.json', null);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(buildOpenApi());
  });

  it('serves the AsyncAPI document without a token, equal to the generated one', async () => {
    const answer = await http('GET', '/v1/asyncapi.json', null);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(buildAsyncApi());
  });

  it('the rest of /v1 still needs a token', async () => {
    expect((await http('GET', '/v1/plans', null)).status).toBe(401);
  });
});
