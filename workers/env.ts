// The Worker's typed context: bindings come from `wrangler types` (worker-configuration.d.ts,
// checked for drift in CI); variables are what middleware establishes for a request.
import type { Principal } from './auth/principal.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    principal: Principal;
  };
}
