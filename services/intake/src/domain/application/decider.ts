/** The application decider: `application-<caseId>` streams. */
import type { Decider } from '@govsvc/eventstore/decider';
import type { EventDefinitions } from '@govsvc/eventstore/event-codec';
import type { ApplicationCommand } from './commands.ts';
import { decideRecordContact } from './decide-contact.ts';
import { decideRecordInboundMaterials } from './decide-inbound.ts';
import { decideOutcome } from './decide-outcomes.ts';
import { decideSubmit } from './decide-submit.ts';
import { decideConfirmTolerated, decideLapse, decideReceiveSupplement } from './decide-supplement.ts';
import { applicationEventSchemas, type ApplicationEvent } from './events.ts';
import { evolveApplication, initialApplicationState, type ApplicationState } from './state.ts';

export const applicationDecider: Decider<ApplicationState, ApplicationCommand, ApplicationEvent> = {
  initialState: initialApplicationState,
  evolve: evolveApplication,
  decide(command, state) {
    switch (command.type) {
      case 'SubmitApplication':
        return decideSubmit(command, state);
      case 'AcceptApplication':
      case 'RequestSupplement':
      case 'AcceptWithToleratedDeficiencies':
      case 'NotAcceptApplication':
      case 'DeemAccepted':
        return decideOutcome(command, state);
      case 'ReceiveSupplement':
        return decideReceiveSupplement(command, state);
      case 'ConfirmToleratedSupplement':
        return decideConfirmTolerated(command, state);
      case 'LapseToleratedDeficiency':
        return decideLapse(command, state);
      case 'RecordContact':
        return decideRecordContact(command, state);
      case 'RecordInboundMaterials':
        return decideRecordInboundMaterials(command, state);
    }
  },
};

export const applicationStream = (caseId: string): string => `application-${caseId}`;

/** Schemas and versions for the store codec: stored events are parsed on read. */
export const applicationEventDefinitions = Object.fromEntries(
  Object.entries(applicationEventSchemas).map(([type, schema]) => [type, { schemaVersion: 1, schema }]),
) as unknown as EventDefinitions<ApplicationEvent>;
