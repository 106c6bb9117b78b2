// Which forms of dialogs/ become Open311 services, and what their definitions ask: read from
// forms written here in the shape of dialogs/*.yaml.
import { describe, expect, it } from 'vitest';
import { ContentError } from '../../src/content/yaml-file.ts';
import { DialogSpecSchema } from '../../src/dialogs/spec.ts';
import { NeighbourhoodMatcher } from '../../src/dialogs/validators/index.ts';
import { buildServices } from '../../src/open311/services.ts';

const neighbourhoods = new NeighbourhoodMatcher('İzmir', 'Bornova');

const form = (id: string, type: string, steps: object[], ticket: object = {}) =>
  DialogSpecSchema.parse({ id, intent: `${id}.create`, title: `${id} başlığı`, steps, ticket: { type, department: 'Çözüm Merkezi', summary: '{{kind}}', categorySlot: 'kind', routeBy: ['kind'], ...ticket }, done: 'Tamam {{number}}' });

const kind = (values: string[]) => ({
  slot: 'kind', label: 'Konu', prompt: 'Konu?', type: 'choice',
  choices: values.map((value, index) => ({ value, label: `Etiket ${value}`, synonyms: [`eş ${value}`], department: index === 0 ? 'Fen İşleri Müdürlüğü' : undefined, slaHours: index === 0 ? 12 : undefined })),
});

describe('Open311 services', () => {
  it('come from complaint forms only: one per category, with the standard fields taken out of the attributes', () => {
    const complaint = form('complaint', 'complaint', [
      kind(['tree', 'bench']),
      { slot: 'neighbourhood', label: 'Mahalle', prompt: 'Mahalle?', type: 'neighbourhood' },
      { slot: 'size', label: 'Boyut', prompt: 'Boyut?', type: 'choice', choices: [{ value: 'small', label: 'Küçük' }, { value: 'big', label: 'Büyük' }] },
      { slot: 'count', label: 'Kaç tane', prompt: 'Kaç?', type: 'count', optional: true },
      { slot: 'branch', label: 'Dal', prompt: 'Dal?', type: 'text', when: { slot: 'kind', in: ['tree'] } },
      { slot: 'address', label: 'Adres', prompt: 'Adres?', type: 'address' },
      { slot: 'description', label: 'Açıklama', prompt: 'Açıklama?', type: 'text' },
      { slot: 'photo', label: 'Fotoğraf', prompt: 'Foto?', type: 'photo', optional: true },
      { slot: 'fullName', label: 'Ad', prompt: 'Ad?', type: 'name', personal: true },
      { slot: 'phone', label: 'Telefon', prompt: 'Tel?', type: 'phone', personal: true },
    ]);
    const appointment = form('appointment', 'appointment', [kind(['mayor', 'deputy'])]);
    const aid = form('aid', 'aid', [kind(['food', 'fuel']), { slot: 'tc', label: 'TC', prompt: 'TC?', type: 'tc_kimlik', personal: true }]);
    const services = buildServices([complaint, appointment, aid], neighbourhoods, 48);

    expect(services.map((s) => s.code)).toEqual(['tree', 'bench']);
    const [tree, bench] = services;
    expect(tree).toMatchObject({ name: 'Etiket tree', description: 'complaint başlığı: Etiket tree', group: 'Fen İşleri Müdürlüğü', keywords: ['eş tree'], slaHours: 12 });
    expect(bench).toMatchObject({ group: 'Çözüm Merkezi', slaHours: 48 });
    const shape = (service: typeof tree) => service!.attributes.map(({ code, datatype, required, order }) => ({ code, datatype, required, order }));
    // Only a tree is asked about its branch: an attribute of its own, not the description.
    expect(shape(tree)).toEqual([
      { code: 'neighbourhood', datatype: 'singlevaluelist', required: true, order: 1 },
      { code: 'size', datatype: 'singlevaluelist', required: true, order: 2 },
      { code: 'count', datatype: 'number', required: false, order: 3 },
      { code: 'branch', datatype: 'text', required: true, order: 4 },
    ]);
    expect(tree!.steps.description?.slot).toBe('description');
    expect(shape(bench)).toEqual([
      { code: 'neighbourhood', datatype: 'singlevaluelist', required: true, order: 1 },
      { code: 'size', datatype: 'singlevaluelist', required: true, order: 2 },
      { code: 'count', datatype: 'number', required: false, order: 3 },
    ]);
    expect(bench!.steps.description?.slot).toBe('description');
    expect(bench!.attributes[1]!.values).toEqual([{ key: 'small', name: 'Küçük' }, { key: 'big', name: 'Büyük' }]);
    expect(bench!.attributes[0]!.values).toContainEqual({ key: 'Erzene Mahallesi', name: 'Erzene Mahallesi' });
  });

  it('never come from a form that asks for a TC number, whatever its type', () => {
    const nosy = form('nosy', 'complaint', [kind(['wall', 'gate']), { slot: 'tc', label: 'TC', prompt: 'TC?', type: 'tc_kimlik', personal: true }]);
    expect(buildServices([nosy], neighbourhoods, 48)).toEqual([]);
  });

  it('refuse two forms offering the same code', () => {
    const one = form('one', 'complaint', [kind(['tree', 'bench'])]);
    const two = form('two', 'complaint', [kind(['tree', 'lamp'])]);
    expect(() => buildServices([one, two], neighbourhoods, 48)).toThrow(ContentError);
  });
});
