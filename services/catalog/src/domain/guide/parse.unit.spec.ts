import { describe, expect, it } from 'vitest';
import { ValidationError } from '@govsvc/errors/errors';
import { SAMPLE_CODE, sampleGuide } from '../../../test/support/sample-guide.ts';
import { parseGuideContent, toPointer } from './parse.ts';

describe('parseGuideContent', () => {
  it('accepts a complete guide unchanged', () => {
    expect(parseGuideContent(sampleGuide())).toEqual(sampleGuide());
  });

  it('accepts an incomplete draft: completeness is the lints’ business', () => {
    expect(parseGuideContent({ implementationCode: SAMPLE_CODE })).toEqual({ implementationCode: SAMPLE_CODE });
  });

  it('R-CAT-3: normalizes an implementation code written with hyphens, so one item has one stream', () => {
    const written = '011400270001-110101000000-11110101mb5375952y-01001';
    expect(parseGuideContent({ implementationCode: written }).implementationCode).toBe(SAMPLE_CODE);
  });

  it('R-CAT-3: refuses an implementation code whose body code fails its check character', () => {
    const broken = SAMPLE_CODE.replace('MB5375952Y', 'MB5375952X');
    expect(() => parseGuideContent({ implementationCode: broken })).toThrow(ValidationError);
  });

  it('reports every schema problem at once, each with its JSON pointer', () => {
    const guide = sampleGuide();
    const input = {
      ...guide,
      itemType: '02',
      statutoryTimeLimit: { workingDays: -1 },
      materials: [...(guide.materials ?? []), { ...guide.materials?.[0], id: 'application-form', copies: '两份' }],
      typo: true,
    };
    let error: unknown;
    try {
      parseGuideContent(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(
      ['', '/itemType', '/statutoryTimeLimit/workingDays', '/materials/4/copies', '/materials/4/id'].sort(),
    );
  });

  it('escapes pointer segments (RFC 6901)', () => {
    expect(toPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });
});
