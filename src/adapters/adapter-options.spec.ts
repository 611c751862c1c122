import { checkAdapterOptions } from './adapter-options';
import { findAdapter } from './registry';

const check = (adapter: string, options: unknown) => checkAdapterOptions(findAdapter(adapter)!, options);

describe('adapter options: shape and meaning, checked when a platform is registered', () => {
  it('accepts what the adapters document', () => {
    expect(
      check('google-classroom', {
        timeZone: 'Europe/Stockholm',
        gradeScale: 'IG-MVG',
        gradeThresholds: { MVG: 90, VG: 70, G: 50, IG: 0 },
      }),
    ).toEqual([]);
    expect(check('google-classroom', { gradeThresholds: { A: 90, F: 0 } })).toEqual([]);
    expect(
      check('oneroster-1.2', {
        codeLists: { schoolUnitCode: { 'org-1': '12345678' }, organiserCode: { 'org-1': '0180' } },
        gradeScales: { scoreScales: { betyg: 'A-F' }, values: { 'IG-MVG': { '4': 'MVG' } } },
      }),
    ).toEqual([]);
  });

  it('refuses a time zone the runtime does not know', () => {
    expect(check('google-classroom', { timeZone: 'Europe/Stockholmm' })).toEqual([
      { pointer: '/options/timeZone', detail: 'not an IANA time zone, e.g. Europe/Stockholm' },
    ]);
  });

  it('refuses thresholds for values the chosen scale does not have', () => {
    expect(check('google-classroom', { gradeScale: 'IG-MVG', gradeThresholds: { A: 90, G: 50 } })).toEqual([
      { pointer: '/options/gradeThresholds/A', detail: expect.stringContaining('not one of IG, G, VG, MVG') },
    ]);
    expect(check('google-classroom', { gradeThresholds: { MVG: 90 } })).toEqual([
      {
        pointer: '/options/gradeThresholds/MVG',
        detail: expect.stringContaining('not one of A, B, C, D, E, F'),
      },
    ]);
  });

  it('refuses codes that cannot be codes: school units of 8 digits, kommuner of 4, known scales and values', () => {
    const errors = check('oneroster-1.2', {
      codeLists: {
        schoolUnitCode: { 'org-1': '1234567' },
        organiserCode: { 'org-1': '180' },
        orgTypeToSchoolType: { 'ext:gy': 'Gymnasium' },
        subjects: { math: 'matte 1' },
      },
      gradeScales: { scoreScales: { betyg: 'A-G' }, values: { 'A-F': { '20': 'A+' }, 'X-Y': {} } },
    });
    expect(errors.map((e) => e.pointer).sort()).toEqual(
      [
        '/options/codeLists/schoolUnitCode/org-1',
        '/options/codeLists/organiserCode/org-1',
        '/options/codeLists/orgTypeToSchoolType/ext:gy',
        '/options/codeLists/subjects/math',
        '/options/gradeScales/scoreScales/betyg',
        '/options/gradeScales/values/A-F/20',
        '/options/gradeScales/values/X-Y',
      ].sort(),
    );
  });

  it('refuses options that are not an object, and names unknown ones', () => {
    expect(check('ss12000', null)).toEqual([{ pointer: '/options', detail: 'must be object' }]);
    expect(check('ss12000', { colour: 'red' })).toEqual([
      { pointer: '/options/colour', detail: 'unknown option' },
    ]);
  });
});
