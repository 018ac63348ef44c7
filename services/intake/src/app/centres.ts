/** Service centres from configuration: hours, extended service, items with capacity, staff (R-APPT-1, R-PLAT-1). */
import { NotFoundError } from '@govsvc/errors/errors';
import type { CentreConfig } from '../domain/appointment/schedule.ts';
import type { Staff } from '../domain/application/events.ts';

export class Centres {
  private readonly byId: ReadonlyMap<string, CentreConfig>;

  constructor(readonly all: readonly CentreConfig[]) {
    this.byId = new Map(all.map((c) => [c.centreId, c]));
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
