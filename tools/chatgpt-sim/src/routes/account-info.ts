// Read-only account endpoints the gateway calls when a token is entered and after refreshes.
import type { ServerResponse } from 'node:http';
import type { Caller } from '../auth.js';
import { sendJson } from '../http.js';
import { isWorkspacePlan, modelsResponse } from '../models.js';

export function modelsRoute(res: ServerResponse, caller: Caller): void {
  sendJson(res, 200, modelsResponse(caller.account.plan));
}

export function meRoute(res: ServerResponse, caller: Caller): void {
  const { account } = caller;
  const name = account.email.split('@')[0];
  sendJson(res, 200, {
    object: 'user',
    id: account.userId,
    email: account.email,
    name,
    picture: null,
    created: 1_700_000_000,
    phone_number: null,
    mfa_flag_enabled: false,
    amr: [],
    groups: [],
    orgs: {
      object: 'list',
      data: [
        {
          object: 'organization',
          id: `org-${account.userId.slice(5)}`,
          created: 1_700_000_000,
          title: 'Personal',
          name: account.userId,
          description: `Personal org for ${account.email}`,
          personal: true,
          settings: {},
          parent_org_id: null,
          is_default: true,
          role: 'owner',
          projects: { object: 'list', data: [] },
          groups: [],
        },
      ],
    },
    has_payg_project_spend_limit: true,
  });
}

const SUBSCRIPTION: Record<string, string | null> = {
  free: null,
  plus: 'chatgptplusplan',
  pro: 'chatgptpro',
  team: 'chatgptteamplan',
  go: 'chatgptgoplan',
  business: 'chatgptbusinessplan',
  enterprise: 'chatgptenterpriseplan',
  edu: 'chatgpteduplan',
};

export function accountsCheckRoute(res: ServerResponse, caller: Caller): void {
  const { account } = caller;
  const paid = account.plan !== 'free';
  const entry = {
    account: {
      account_id: account.accountId,
      account_user_id: `${account.userId}__${account.accountId}`,
      account_user_role: 'account-owner',
      plan_type: account.plan,
      structure: isWorkspacePlan(account.plan) ? 'workspace' : 'personal',
      is_deactivated: false,
      name: null,
      processor: {},
      promo_data: {},
    },
    entitlement: {
      subscription_id: paid ? `sub_${account.accountId.replace(/-/g, '').slice(0, 20)}` : null,
      has_active_subscription: paid,
      subscription_plan: SUBSCRIPTION[account.plan] ?? null,
      expires_at: paid ? new Date(Date.now() + 30 * 86400_000).toISOString() : null,
      billing_period: paid ? 'monthly' : null,
    },
    features: paid
      ? ['model_switcher', 'browsing_available', 'code_interpreter_available', 'o1_launch', 'voice_advanced']
      : ['model_switcher'],
    last_active_subscription: null,
  };
  sendJson(res, 200, {
    accounts: { [account.accountId]: entry, default: entry },
    account_ordering: [account.accountId],
  });
}

export function conversationLimitRoute(res: ServerResponse): void {
  sendJson(res, 200, {
    message_cap: 80,
    message_cap_window: 180,
    message_disclaimer: {
      textarea: 'GPT-4 currently has a cap of 80 messages every 3 hours.',
      'model-switcher': "You've reached the GPT-4 cap, which gives all ChatGPT Plus users a chance to try the model.",
    },
  });
}
