import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadIntents, type FollowUp, type Intent } from '../../src/content/intents.ts';
import { checkFollowUps, loadDialogs } from '../../src/dialogs/load.ts';
import { tempDir, valuesOf } from '../support/cozum.ts';

const municipality = loadConfig({ env: {}, file: null }).municipality;

function editedCopy(file: string, edit: (yaml: string) => string): string {
  const dir = tempDir().dir;
  cpSync('dialogs', dir, { recursive: true });
  writeFileSync(path.join(dir, file), edit(readFileSync(path.join('dialogs', file), 'utf8')));
  return dir;
}

describe('dialogs/ as shipped', () => {
  it('has the complaint, aid, appointment and status dialogs, each started by its intent', () => {
    const dialogs = loadDialogs('dialogs', valuesOf(municipality));
    expect(Object.fromEntries(dialogs.map((d) => [d.intent, d.id]))).toEqual({
      'complaint.create': 'complaint',
      'request.aid': 'aid',
      'appointment.request': 'appointment',
      'ticket.status': 'status',
    });
  });

  it('names a department for every complaint category but "other", which goes to the default', () => {
    const complaint = loadDialogs('dialogs', valuesOf(municipality)).find((d) => d.id === 'complaint')!;
    const categories = complaint.steps.find((s) => s.slot === 'category')!.choices!;
    expect(categories.map((c) => c.value)).toEqual(['road', 'pavement', 'rubbish', 'street_light', 'animal', 'noise', 'vendor', 'park', 'sewage', 'structure', 'water', 'rubble', 'other']);
    for (const category of categories.filter((c) => c.value !== 'other')) expect(category.department, category.value).toBeTruthy();
  });
});

describe('a dialog file with a mistake stops start-up with the file, line and step', () => {
  it('names an unknown step type with its line', () => {
    const dir = editedCopy('complaint.yaml', (yaml) => yaml.replace('type: neighbourhood', 'type: mahalle'));
    const line = readFileSync('dialogs/complaint.yaml', 'utf8').split('\n').findIndex((l) => l.includes('type: neighbourhood')) + 1;
    expect(() => loadDialogs(dir, valuesOf(municipality))).toThrow(new RegExp(`complaint\\.yaml:${line}: steps\\.1\\.type: `));
  });

  it('names a choice step without choices, a duplicated slot, and a `when` on a later slot', () => {
    expect(() => loadDialogs(editedCopy('status.yaml', (y) => y.replace('type: ticket_lookup', 'type: choice')), valuesOf(municipality))).toThrow(/status\.yaml:\d+: steps\.0\.choices: choice adımının seçenekleri/);
    expect(() => loadDialogs(editedCopy('appointment.yaml', (y) => y.replace('slot: subject', 'slot: target')), valuesOf(municipality))).toThrow(/appointment\.yaml:\d+: steps\.2\.slot: "target" alanı iki kez/);
    expect(() => loadDialogs(editedCopy('appointment.yaml', (y) => y.replace('when: { slot: target', 'when: { slot: phone')), valuesOf(municipality))).toThrow(/when: "phone" bu adımdan önce sorulan bir alan olmalı/);
  });

  it('names an unknown placeholder', () => {
    const dir = editedCopy('complaint.yaml', (yaml) => yaml.replace('İlgili birim: {{department}}', 'İlgili birim: {{birim}}'));
    expect(() => loadDialogs(dir, valuesOf(municipality))).toThrow(/complaint\.yaml: bilinmeyen yer tutucu: \{\{birim\}\}/);
  });
});

describe('FAQ follow-ups (intents/*.yaml followUp) are checked against the dialogs', () => {
  const intents = loadIntents('intents', valuesOf(municipality));
  const dialogs = loadDialogs('dialogs', valuesOf(municipality));
  const withFollowUp = (followUp: Partial<FollowUp>): Intent[] => [
    { ...intents.find((i) => i.name === 'faq.water_outage')!, followUp: { intent: 'complaint.create', slots: {}, accept: 'Aç', decline: 'Hayır', takesAnswer: false, ...followUp } },
  ];

  it('accepts the shipped ones', () => {
    expect(() => checkFollowUps(intents, dialogs)).not.toThrow();
  });

  it('names a follow-up to a form that does not exist, a slot the form lacks and an unknown option', () => {
    expect(() => checkFollowUps(withFollowUp({ intent: 'request.parking' }), dialogs)).toThrow(/faq\.water_outage\.yaml: followUp: "request\.parking" ile başlayan bir başvuru formu/);
    expect(() => checkFollowUps(withFollowUp({ slots: { street: 'x' } }), dialogs)).toThrow(/followUp\.slots: "street", complaint formunda bir alan değil/);
    expect(() => checkFollowUps(withFollowUp({ slots: { category: 'tsunami' } }), dialogs)).toThrow(/followUp\.slots\.category: "tsunami" bir seçenek değil/);
  });
});
