/** Service centres from configuration: hours, extended service, items with capacity, staff (R-APPT-1, R-PLAT-1). */
import { NotFoundError } from '@govsvc/errors/errors';
import type { CentreConfig } from '../domain/appointment/schedule.ts';
import type { Staff } from '../domain/application/events.ts';
import { CENTRE_NAME_PATTERNS, centreLevelOf, type CentreLevel } from '../domain/centre-naming.ts';

export class Centres {
  private readonly byId: ReadonlyMap<string, CentreConfig>;

  constructor(readonly all: readonly CentreConfig[]) {
    // R-PLAT-1: a centre that does not carry the standard name (and so no level) is a configuration error,
    // refused when the service starts rather than printed on every receipt.
    const misnamed = all.filter((c) => centreLevelOf(c.name) === null);
    if (misnamed.length > 0) {
      throw new Error(`service centres not named after the standard pattern (R-PLAT-1, Art. 25): ${misnamed.map((c) => `${c.centreId} "${c.name}"`).join(', ')}; use one of ${CENTRE_NAME_PATTERNS}`);
    }
    this.byId = new Map(all.map((c) => [c.centreId, c]));
  }

  /** The centre's level, from its standard name (R-PLAT-1): city, district, township, station or a branch. */
  levelOf(centreId: string): CentreLevel {
    return centreLevelOf(this.get(centreId).name) as CentreLevel;
  }

  get(centreId: string): CentreConfig {
    const centre = this.byId.get(centreId);
    if (!centre) throw new NotFoundError(`no service centre ${centreId}`);
    return centre;
  }

  find(centreId: string): CentreConfig | undefined {
    return this.byId.get(centreId);
  }

  /** The centre that handles an item's online applications: the first that offers it, else the first configured. */
  handlingCentreFor(itemCode: string): CentreConfig {
    const centre = this.all.find((c) => c.items.some((i) => i.itemCode === itemCode)) ?? this.all[0];
    if (!centre) throw new Error('no service centre is configured');
    return centre;
  }

  /** The clerk as documents name them (R-ACC-3: the acceptor's name). Unknown staff cannot act. */
  staff(centreId: string, staffId: string): Staff {
    const member = this.get(centreId).staff.find((s) => s.staffId === staffId);
    if (!member) throw new NotFoundError(`staff ${staffId} is not registered at ${centreId}`);
    return { staffId: member.staffId, name: member.name, centre: centreId };
  }
}
