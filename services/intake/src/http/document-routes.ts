/**
 * Sealed documents (R-ACC-3, Art. 34): the document itself for those who may
 * see the case; verification for anyone holding a document id (it says
 * whether the seal is valid and what was issued, never who it was issued to).
 */
import { z } from 'zod';
import type { App } from '@govsvc/service-kit/app';
import { allow, publicRoute } from '@govsvc/service-kit/auth';
import type { ApplicationService } from '../app/application-service.ts';
import type { SealSigner } from '../app/seal.ts';
import { callerOf } from './request.ts';

const DocumentParams = z.strictObject({ documentId: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/) });

export function documentRoutes(applications: ApplicationService, signer: SealSigner) {
  return async (app: App): Promise<void> => {
    app.get('/documents/:documentId', { config: allow('applicant', 'clerk', 'supervisor', 'integration'), schema: { params: DocumentParams } }, async (request) => {
      const caller = callerOf(request);
      const document = await applications.document(request.params.documentId, caller);
      // PIPL: a document names the applicant; every read is logged.
      request.log.info({ access: 'document', by: caller.subject, roles: caller.roles, documentId: request.params.documentId }, 'personal document accessed');
      return document;
    });

    app.get('/documents/:documentId/verify', { config: publicRoute, schema: { params: DocumentParams } }, async (request) => {
      const { document, verification } = await applications.verify(request.params.documentId);
      const c = document.content;
      return {
        documentId: c.documentId,
        ...verification,
        algorithm: document.signature.algorithm,
        signatureKeyId: document.signature.keyId,
        kind: c.kind,
        title: c.title,
        caseNumber: c.caseNumber,
        itemName: c.itemName,
        issuingBody: c.issuingBody,
        entrustedBody: c.entrustedBody,
        seal: c.seal,
        issuedAt: c.issuedAt,
      };
    });

    app.get('/seal-keys', { config: publicRoute }, async () => ({ keys: signer.publicKeys() }));
  };
}
