/**
 * The admin API's shapes, as the contracts define them (types only: nothing of the contracts is
 * bundled). Views may carry more fields than these name (other work adds them); pages render what
 * the API answers.
 */
export type {
  AccountList,
  AccountView,
  ImportAccountsResult,
  ImportLineResult,
  KeyCreated,
  KeyList,
  KeyView,
  ModelRoute,
  ModelRoutesView,
  RefreshPassJson,
  RefreshPasses,
  StartRefreshPassResult,
  TenantList,
  TenantView,
  UpstreamAccountStatus,
  UsageSeries,
  UsageSeriesDimension,
  UsageSeriesRow,
  UserList,
  UserView,
  WireLimit,
  Budget,
  DeadLetterPage,
  DeadLetterView,
} from '@chatgate/contracts';
