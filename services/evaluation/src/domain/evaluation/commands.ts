/** Commands on a case's evaluation ledger. Instants, ids and the acting person arrive here, never read inside. */
import type { IndicatorScores, Occasion, RatingChannel, RatingLevel, Staff } from '../values.ts';

export type EvaluationCommand =
  | {
      readonly type: 'RegisterCase';
      readonly data: {
        readonly caseId: string;
        readonly itemCode: string;
        readonly applicantRef: string;
        readonly serviceCentre: string | null;
        readonly leadDepartment: string | null;
        readonly submittedAt: string;
      };
    }
  | {
      readonly type: 'AssignDepartment';
      readonly data: { readonly caseId: string; readonly department: string; readonly source: 'collaboration-lead' | 'acceptance' | 'decision'; readonly at: string };
    }
  | {
      readonly type: 'InviteRating';
      readonly data: {
        readonly caseId: string;
        readonly invitationId: string;
        readonly deliveryMethod: 'window-pickup' | 'kiosk-pickup' | 'electronic' | 'post';
        readonly serviceCentre: string | null;
        readonly deliveredAt: string;
        readonly invitedAt: string;
      };
    }
  | {
      readonly type: 'SubmitRating';
      readonly data: {
        readonly caseId: string;
        readonly ratingId: string;
        readonly occasion: Occasion;
        readonly channel: RatingChannel;
        readonly level: RatingLevel;
        readonly indicators: IndicatorScores;
        readonly comment: string | null;
        readonly named: boolean;
        readonly raterRef: string;
        readonly submittedAt: string;
      };
    }
  | {
      readonly type: 'VerifyRectification';
      readonly data: { readonly ratingId: string; readonly finding: 'substantiated' | 'unreasonable'; readonly note: string; readonly by: Staff; readonly at: string };
    }
  | {
      readonly type: 'RecordCallback';
      readonly data: { readonly ratingId: string; readonly reached: boolean; readonly summary: string; readonly by: Staff; readonly at: string };
    }
  | {
      readonly type: 'GiveFeedback';
      readonly data: {
        readonly ratingId: string;
        readonly outcome: 'rectified' | 'explained';
        readonly measures: string;
        readonly feedback: string;
        readonly by: Staff;
        readonly at: string;
      };
    }
  | { readonly type: 'AppealRating'; readonly data: { readonly ratingId: string; readonly raterRef: string; readonly reason: string; readonly at: string } }
  | {
      readonly type: 'DecideAppeal';
      readonly data: { readonly ratingId: string; readonly outcome: 'dismissed' | 'reopened'; readonly reason: string; readonly by: string; readonly at: string };
    }
  | { readonly type: 'RequestReview'; readonly data: { readonly ratingId: string; readonly reason: string; readonly by: Staff; readonly at: string } }
  | {
      readonly type: 'ReviewRating';
      readonly data: { readonly ratingId: string; readonly outcome: 'stands' | 'mistaken' | 'malicious'; readonly reason: string; readonly by: string; readonly at: string };
    };

export type EvaluationCommandOf<T extends EvaluationCommand['type']> = Extract<EvaluationCommand, { type: T }>;
