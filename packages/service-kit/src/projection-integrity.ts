/**
 * Whether a projection kept outside the event store is whole. A store that
 * can be wiped behind the projection's back (Redis FLUSHALL, a failover to an
 * empty replica) loses entries while the projection's checkpoint, kept in the
 * event store, goes on from where it was: a lost deadline would never warn or
 * breach, a lost case timeline would show an empty history. A marker written
 * when a rebuild completes tells a wiped projection (marker gone) from a
 * whole one (docs/reliability.md finding 9). Shared by the services that keep projections in Redis: supervision (deadline index, case timeline) and intake (slot counters).
 */
export interface ProjectionIntegrity {
  /** A completed build is recorded and nothing wiped it since. */
  intact(): Promise<boolean>;
  /** Records a rebuild under way (after the projection was cleared); returns its token. */
  begin(): Promise<string>;
  /** Records the rebuild complete, unless the projection was wiped meanwhile (then false: rebuild again). */
  complete(token: string): Promise<boolean>;
}

/**
 * Clears and replays a projection, marking it whole at the end; a wipe during
 * the replay (the marker gone before `complete`) replays again, a few times,
 * then leaves it to the next check.
 */
export async function rebuildMarked<R>(projection: { clear(): Promise<void>; readonly integrity?: ProjectionIntegrity }, replay: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    await projection.clear();
    const token = await projection.integrity?.begin();
    const result = await replay();
    if (token === undefined || (await projection.integrity!.complete(token)) || attempt >= 3) return result;
  }
}
