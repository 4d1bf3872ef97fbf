import { describe, expect, it } from 'vitest';
import { expectTRPCError, useApi } from './harness.js';

const api = useApi();

// A Todoist CSV as its export writes it (the header of Todoist's template), with a section, a
// note, labels, a recurring date, a quoted comma and every priority.
const CSV = [
  'TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE',
  'section,Errands,,,,,,,,',
  'task,Buy milk @shopping @home,,1,1,Ada (1),,2027-03-01,en,Europe/Berlin',
  'note,Semi-skimmed,,,,,,,,',
  'task,"Call Bob, about the roof",Before noon,2,1,Ada (1),,every monday,en,Europe/Berlin',
  'task,Read,,3,1,,,,en,',
  'task,Someday,,4,1,,,,en,',
  '',
].join('\n');

describe('account.import of a Todoist CSV', () => {
  it('imports tasks into one project: labels as tags, Todoist priorities (1 = p1 = high), dates and recurrence, notes', async () => {
    const ada = await api.signUp();
    await ada.caller.auth.updateProfile({ timezone: 'Europe/Berlin' });
    const result = await ada.caller.account.import({ format: 'todoist-csv', csv: CSV, projectName: 'From Todoist' });
    expect(result).toEqual({ projects: { created: 1, existing: 0 }, tasks: { created: 4, existing: 0 } });
    const project = (await ada.caller.project.list()).find((p) => p.name === 'From Todoist');
    if (!project) throw new Error('no project');
    const tasks = (await ada.caller.task.list({ projectId: project.id })).items;
    const byTitle = new Map(tasks.map((task) => [task.title, task]));
    expect([...byTitle.keys()].sort()).toEqual(['Buy milk', 'Call Bob, about the roof', 'Read', 'Someday']);
    expect(byTitle.get('Buy milk')).toMatchObject({
      priority: 'high',
      tags: ['home', 'shopping'],
      description: 'Semi-skimmed',
    });
    expect(byTitle.get('Buy milk')?.dueAt?.startsWith('2027-03-01')).toBe(true);
    expect(byTitle.get('Call Bob, about the roof')).toMatchObject({ priority: 'medium', description: 'Before noon' });
    expect(byTitle.get('Call Bob, about the roof')?.recurrence).toMatchObject({ freq: 'weekly', byWeekday: ['MO'] });
    expect(byTitle.get('Read')?.priority).toBe('low');
    expect(byTitle.get('Someday')?.priority).toBe('none');

    // Idempotent: the same file again creates nothing.
    const again = await ada.caller.account.import({ format: 'todoist-csv', csv: CSV, projectName: 'From Todoist' });
    expect(again).toEqual({ projects: { created: 0, existing: 1 }, tasks: { created: 0, existing: 4 } });
  });

  it('refuses the whole file for one bad row, naming its row', async () => {
    const ada = await api.signUp();
    const bad = `${CSV}task,Broken,,7,1,,,,en,\ntask,,,1,1,,,,en,\ntask,When?,,1,1,,,not a date at all,en,\n`;
    const error = await expectTRPCError(ada.caller.account.import({ format: 'todoist-csv', csv: bad }), 'BAD_REQUEST');
    expect(error.message).toContain('3 bad rows');
    expect(error.message).toContain('rows row 7: PRIORITY');
    expect(error.message).toContain('rows row 8: title');
    expect(error.message).toContain('rows row 9: DATE');
    expect(await ada.caller.project.list()).toHaveLength(1);
    await expectTRPCError(ada.caller.account.import({ format: 'todoist-csv', csv: 'a,b\n1,2\n' }), 'BAD_REQUEST');
  });
});
