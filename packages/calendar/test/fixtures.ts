// A hypothetical 2027 schedule for tests only: the real 2027 notice is not in
// our data. It is plausible (除夕 Feb 5, 8 days off, a Saturday worked) but
// invented, and labelled as such so it can never pass for the real one.
export const hypothetical2027 = {
  year: 2027,
  version: 1,
  source: { title: '测试用假设：2027年部分节假日安排（非真实通知）' },
  holidays: [
    { date: '2027-01-01', name: '元旦' },
    { date: '2027-01-02', name: '元旦' },
    { date: '2027-01-03', name: '元旦' },
    ...['05', '06', '07', '08', '09', '10', '11', '12'].map((d) => ({ date: `2027-02-${d}`, name: '春节' })),
  ],
  workdays: [{ date: '2027-02-20', name: '春节' }],
};
