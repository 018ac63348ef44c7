/**
 * What the standalone process prints once it serves: where every service's
 * API, the console and the docs are, and a development token per role for the
 * audience this process verifies (only when it signs its own dev tokens).
 */
import { applicantRefOf } from '@govsvc/intake/app/application-service';
import { mintDevToken, type DevKeyPair } from '@govsvc/service-kit/dev-tokens';
import type { Role } from '@govsvc/service-kit/principal';
import type { ClockMode } from '@govsvc/service-host/process-clock';

/** Who each printed token speaks for: realistic staff of the default centres and departments. */
export const DEV_IDENTITIES: Readonly<Record<Role, { readonly subject: string; readonly centre?: string; readonly department?: string; readonly note: string }>> = {
  // Intake knows an applicant by the opaque reference of their identifier (R-ID-1), as the token's `sub`.
  applicant: { subject: applicantRefOf('91110108551385082Q'), note: '申请人 applicant: 北京京味餐饮管理有限公司 (USCC 91110108551385082Q)' },
  clerk: { subject: 'clerk-zhao', centre: 'bj-city', note: '窗口人员 clerk: 赵敏, 北京市政务服务中心' },
  reviewer: { subject: 'reviewer-dc-1', department: '北京市东城区市场监督管理局', note: '审查人员 reviewer, 东城区市场监督管理局' },
  chief: { subject: 'chief-dc-1', department: '北京市东城区市场监督管理局', note: '首席代表 chief representative, 东城区市场监督管理局' },
  supervisor: { subject: 'supervisor-1', note: '监督人员 supervisor' },
  operator: { subject: 'operator-1', note: '运维值班 operator (console)' },
  integration: { subject: 'integration-1', note: '系统集成 integration (department back-end)' },
  admin: { subject: 'admin-1', note: '管理员 admin (catalog, clock)' },
};

export interface BannerInput {
  readonly url: string;
  readonly services: readonly { readonly name: string; readonly links: readonly { readonly label: string; readonly path: string }[] }[];
  readonly adapters: { readonly store: string; readonly bus: string; readonly redis: string; readonly mail: string };
  readonly clock: { readonly mode: ClockMode; readonly now: string };
  readonly dataDir: string;
  readonly generated: readonly string[];
  readonly tokens: readonly { readonly role: Role; readonly note: string; readonly token: string }[] | null;
  readonly audience: string;
  readonly issuer: string;
}

export async function mintRoleTokens(key: DevKeyPair, options: { issuer: string; audience: string; ttlSeconds: number }): Promise<{ role: Role; note: string; token: string }[]> {
  return Promise.all(
    (Object.entries(DEV_IDENTITIES) as [Role, (typeof DEV_IDENTITIES)[Role]][]).map(async ([role, who]) => ({
      role,
      note: who.note,
      token: await mintDevToken(key, {
        issuer: options.issuer,
        audience: options.audience,
        subject: who.subject,
        roles: [role],
        ttlSeconds: options.ttlSeconds,
        ...(who.centre !== undefined && { centre: who.centre }),
        ...(who.department !== undefined && { department: who.department }),
      }),
    })),
  );
}

export function renderBanner(input: BannerInput): string {
  const lines: string[] = [];
  const rule = '─'.repeat(78);
  lines.push(rule, `govsvc standalone 政务服务一体化运行 · every service in one process · ${input.url}`, rule);
  lines.push(`  event store ${input.adapters.store} · bus ${input.adapters.bus} · redis ${input.adapters.redis} · mail ${input.adapters.mail}`);
  lines.push(`  clock ${input.clock.mode} (now ${input.clock.now})${input.clock.mode === 'controlled' ? ' · move it: POST /admin/clock {"advance":"P1D"} as admin' : input.clock.mode === 'offset' ? ' · shift it: POST /admin/clock {"shift":"-PT2H"} as admin' : ''}`);
  lines.push(`  data ${input.dataDir}`);
  for (const file of input.generated) lines.push(`  generated development key material: ${file}`);
  lines.push('', '  APIs (each service under its own prefix):');
  for (const service of input.services) {
    lines.push(`    ${service.name.padEnd(12)} ${input.url}/${service.name}`);
    for (const link of service.links) lines.push(`      ${link.label.padEnd(34)} ${input.url}${link.path}`);
  }
  lines.push('', `  OpenAPI docs            ${input.url}/docs/json`);
  lines.push(`  health                  ${input.url}/health/ready   metrics ${input.url}/metrics`);
  if (input.tokens) {
    lines.push('', `  Development tokens (issuer ${input.issuer}, audience ${input.audience}); use as: curl -H "authorization: Bearer $TOKEN" …`);
    for (const t of input.tokens) lines.push(`    ${t.role.padEnd(12)} ${t.note}`, `      ${t.token}`);
    lines.push(`  More: pnpm --silent --filter @govsvc/service-kit mint-token --dir ${input.dataDir}/keys --issuer ${input.issuer} --audience ${input.audience} --role clerk --centre bj-city --subject clerk-zhao`);
  } else {
    lines.push('', `  Tokens: from the configured issuer (${input.issuer}), audience ${input.audience}.`);
  }
  lines.push(rule, '');
  return lines.join('\n');
}
