/** The five services. Queue groups are named after them, so replicas of one service share its subjects. */
export const SERVICE_NAMES = ['gateway', 'auth', 'conversation', 'voice', 'usage'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
