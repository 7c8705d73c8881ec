import { Controller, Get, Header } from '@nestjs/common';
import { AnyCredential } from '../auth/auth.decorators';
import { OPENAPI_DOCUMENT } from './openapi';

/** Serialized once: the document is fixed for the life of the process. */
export const OPENAPI_JSON = JSON.stringify(OPENAPI_DOCUMENT);

/**
 * GET /docs: the OpenAPI 3.1 document of the API, for Swagger UI, Postman, client generators.
 * It holds no tenant's data, so any valid credential reads it: an org key, a member token (a
 * member app's developers) or an operator key. Like every route but the health checks, it needs one.
 */
@AnyCredential()
@Controller('docs')
export class DocsController {
  @Get()
  @Header('Content-Type', 'application/json; charset=utf-8')
  document(): string {
    return OPENAPI_JSON;
  }
}
