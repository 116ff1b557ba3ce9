import { ApiError } from '../errors/api-error.js';

/** The caller's own ChatGPT token has no tenant and so no API keys: the platform is a tenant's. */
export const ownTokenCannotUsePlatform = (model: string) =>
  new ApiError(403, {
    message: `The model '${model}' is served by API-key (platform) accounts, which only a chatgate key or a pool code can use; a ChatGPT token reaches its own account only.`,
    type: 'invalid_request_error',
    param: 'model',
    code: 'platform_unavailable',
  });

/** A platform-only endpoint asked for a model the tenant's routing table sends to ChatGPT accounts. */
export const modelNotOnPlatform = (model: string, endpoint: string) =>
  ApiError.invalidRequest(
    `The model '${model}' is routed to ChatGPT accounts, but ${endpoint} needs an API-key (platform) upstream. Ask an administrator to route this model to the platform (/admin/v1/routes).`,
    'model',
    'model_not_supported',
  );

export const missingParameter = (param: string) => ApiError.invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');

export const invalidParameter = (param: string, what: string) => ApiError.invalidRequest(`Invalid value for '${param}': ${what}.`, param, 'invalid_value');

export const notAnObject = () => ApiError.invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
