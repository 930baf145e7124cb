import { describe, expect, it } from 'vitest';
import { refusalsByItem } from '../src/lib/refusals';

describe('refusalsByItem: a refusal\'s field errors by what they concern', () => {
  it('puts a bad answer and a missing one under their item id', () => {
    const r = refusalsByItem({
      'responses.412.value': ['tills_open: must be a number from 0 to 20'],
      'responses.415': ['Required before submitting.'],
    });
    expect(r.items).toEqual({ 412: ['tills_open: must be a number from 0 to 20'], 415: ['Required before submitting.'] });
    expect(r.steps).toEqual({});
    expect(r.other).toEqual({});
  });

  it('gathers every problem of one item, whatever part of the answer it names', () => {
    const r = refusalsByItem({
      'responses.7.value': ['must be a list of {"tag", "severity"}'],
      'responses.7.note': ['Ensure this field has no more than 10000 characters.'],
      'responses.7': ['Required before submitting.'],
    });
    expect(r.items['7']).toEqual([
      'must be a list of {"tag", "severity"}',
      'Ensure this field has no more than 10000 characters.',
      'Required before submitting.',
    ]);
  });

  it('puts an expectation\'s problems under its step id', () => {
    const r = refusalsByItem({ 'expectations.21.level': ['Must be from 1 to 5.'], 'expectations.21.effort': ['Must be from 1 to 7.'] });
    expect(r.steps).toEqual({ 21: ['Must be from 1 to 5.', 'Must be from 1 to 7.'] });
    expect(r.items).toEqual({});
  });

  it('keeps every other key as the server named it, and never reads an id out of one', () => {
    const r = refusalsByItem({
      checklist_version: ['Not a published version of this journey.'],
      'checkin.latitude': ['Ensure this value is greater than or equal to -90.'],
      'items.greeted': ['Required before submitting.'],
      'responsesx.3.value': ['?'],
      'visit.12': ['?'],
    });
    expect(r.items).toEqual({});
    expect(r.steps).toEqual({});
    expect(Object.keys(r.other)).toEqual(['checklist_version', 'checkin.latitude', 'items.greeted', 'responsesx.3.value', 'visit.12']);
  });

  it('is empty for a refusal without fields', () => {
    expect(refusalsByItem(undefined)).toEqual({ items: {}, steps: {}, other: {} });
    expect(refusalsByItem({})).toEqual({ items: {}, steps: {}, other: {} });
  });
});
