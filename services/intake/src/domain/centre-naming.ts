/**
 * The standard names of service centres and stations (R-PLAT-1, measures
 * Art. 24–25): every centre carries the city's one naming pattern, and the
 * pattern says its level.
 *
 *   北京市政务服务中心                               city
 *   北京市政务服务中心××分中心                        city department's specialised hall
 *   ××区政务服务中心                                 district
 *   ××区政务服务中心××分中心                          district department's specialised hall
 *   ××区××乡镇(街道)政务服务中心                      township / street
 *   ××乡镇(街道)××村(社区、园区、商圈、楼宇)政务服务站   station (帮办代办)
 *
 * A district name may be written with the city in front (北京市朝阳区…), as
 * the centres call themselves. Districts are Beijing's sixteen.
 */

export const CENTRE_LEVELS = ['city', 'city-branch', 'district', 'district-branch', 'township', 'station'] as const;
export type CentreLevel = (typeof CENTRE_LEVELS)[number];

const DISTRICTS = ['东城区', '西城区', '朝阳区', '丰台区', '石景山区', '海淀区', '门头沟区', '房山区', '通州区', '顺义区', '昌平区', '大兴区', '怀柔区', '平谷区', '密云区', '延庆区'];
const district = `(?:北京市)?(?:${DISTRICTS.join('|')})`;
// A township-level name: a town (镇), a township (乡) or a street (街道), with a name of its own before it.
const township = '[^\\s区]+?(?:乡|镇|街道)';

const PATTERNS: readonly (readonly [CentreLevel, RegExp])[] = [
  ['city', /^北京市政务服务中心$/u],
  ['city-branch', /^北京市政务服务中心[^\s]+分中心$/u],
  ['district', new RegExp(`^${district}政务服务中心$`, 'u')],
  ['district-branch', new RegExp(`^${district}政务服务中心[^\\s]+分中心$`, 'u')],
  ['township', new RegExp(`^${district}${township}政务服务中心$`, 'u')],
  ['station', new RegExp(`^(?:${district})?${township}[^\\s]+?(?:村|社区|园区|商圈|楼宇)政务服务站$`, 'u')],
];

/** The level a standard name gives, or null when the name follows none of the patterns. */
export function centreLevelOf(name: string): CentreLevel | null {
  return PATTERNS.find(([, pattern]) => pattern.test(name))?.[0] ?? null;
}

export const CENTRE_NAME_PATTERNS =
  '北京市政务服务中心, 北京市政务服务中心××分中心, ××区政务服务中心, ××区政务服务中心××分中心, ××区××乡镇(街道)政务服务中心, ××乡镇(街道)××村(社区、园区、商圈、楼宇)政务服务站';
