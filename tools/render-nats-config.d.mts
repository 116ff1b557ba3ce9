/** The deployed authorization block (deploy/nats/authorization.conf) as libs/contracts' permissions render it. */
export function renderDeployedAuthorization(): string;
