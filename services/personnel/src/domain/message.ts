import type { LocalizedText } from '@lifeline/contracts';

const MAX = 2000;
const clip = (text: string) => ([...text].length > MAX ? [...text].slice(0, MAX - 1).join('') + '…' : text);

/** The text a new owner receives: the task itself, marked as a drill when it is one. */
export function assignmentMessage(task: LocalizedText, severity: string, drill: boolean): LocalizedText {
  const zh = `${drill ? '【演练】' : ''}【${severity}级响应任务】${task.zh} 请尽快确认。`;
  const en = `${drill ? '[DRILL] ' : ''}[Level ${severity} response task] ${task.en} Please acknowledge.`;
  return { zh: clip(zh), en: clip(en) };
}

/** The invitation of a surge call: what is needed, and how to answer. */
export function surgeInvitation(message: LocalizedText, drill: boolean): LocalizedText {
  const zh = `${drill ? '【演练】' : ''}【志愿者召集】${message.zh} 请在应用中回复“接受”或“谢绝”。`;
  const en = `${drill ? '[DRILL] ' : ''}[Call for volunteers] ${message.en} Answer "accept" or "decline" in the app.`;
  return { zh: clip(zh), en: clip(en) };
}

/** The notification's idempotency key: one message per owner per task, whatever the attempt. */
export function notifyKey(taskKey: string, taskId: string, ownerId: string, maxLength = 200): string {
  const key = `${taskKey}:notify:${ownerId}`;
  return key.length <= maxLength ? key : `${taskId}:notify:${ownerId}`;
}
