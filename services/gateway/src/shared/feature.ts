import type { Provider, Type } from '@nestjs/common';

/**
 * What one feature folder adds to GatewayModule: its controllers and the providers only it uses.
 * Pieces more than one feature uses live in `shared/` and are provided once (`SHARED_PROVIDERS`).
 */
export interface GatewayFeature {
  controllers: Type[];
  providers?: Provider[];
}
