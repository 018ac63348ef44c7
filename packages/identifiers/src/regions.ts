/**
 * Province-level divisions by the first two digits of a GB/T 2260 division
 * code, as they lead resident ID numbers, unified social credit codes and
 * the 12-digit region codes of item implementations. `10` is used by
 * central-level registrations (e.g. USCC region 100000).
 */
export const PROVINCES: Readonly<Record<string, string>> = {
  '11': '北京市',
  '12': '天津市',
  '13': '河北省',
  '14': '山西省',
  '15': '内蒙古自治区',
  '21': '辽宁省',
  '22': '吉林省',
  '23': '黑龙江省',
  '31': '上海市',
  '32': '江苏省',
  '33': '浙江省',
  '34': '安徽省',
  '35': '福建省',
  '36': '江西省',
  '37': '山东省',
  '41': '河南省',
  '42': '湖北省',
  '43': '湖南省',
  '44': '广东省',
  '45': '广西壮族自治区',
  '46': '海南省',
  '50': '重庆市',
  '51': '四川省',
  '52': '贵州省',
  '53': '云南省',
  '54': '西藏自治区',
  '61': '陕西省',
  '62': '甘肃省',
  '63': '青海省',
  '64': '宁夏回族自治区',
  '65': '新疆维吾尔自治区',
  '71': '台湾省',
  '81': '香港特别行政区',
  '82': '澳门特别行政区',
  // Residence permits of Taiwan residents living on the mainland use 830000.
  '83': '台湾地区（居住证）',
};

export const CENTRAL_REGION_PREFIX = '10';

/** The province named by the first two digits of a division code, if any. */
export function provinceOf(divisionCode: string): string | undefined {
  return PROVINCES[divisionCode.slice(0, 2)];
}

/** The four municipalities directly under the central government: their next level is the district. */
export const MUNICIPALITIES = ['北京市', '天津市', '上海市', '重庆市'] as const;
