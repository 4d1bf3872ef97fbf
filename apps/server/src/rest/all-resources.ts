import { exportDocumentResource, importResultResource } from './account-routes.js';
import { activityResources } from './activity-resources.js';
import { projectResources } from './project-resources.js';
import type { RestResource } from './resource.js';
import {
  authTokensResource,
  bulkDeleteResource,
  bulkUpdateResource,
  completedTaskResource,
  emptyTrashResource,
  endedSessionsResource,
  sessionResource,
  tagResource,
  taskCountResource,
  taskResource,
  taskStatsResource,
  userResource,
} from './resources.js';
import { webhookResources } from './webhook-resources.js';

/** Every resource, for components.schemas. */
export const RESOURCES: readonly RestResource<never, unknown>[] = [
  userResource,
  authTokensResource,
  taskResource,
  completedTaskResource,
  tagResource,
  sessionResource,
  taskStatsResource,
  taskCountResource,
  bulkUpdateResource,
  bulkDeleteResource,
  emptyTrashResource,
  endedSessionsResource,
  ...projectResources,
  ...activityResources,
  ...webhookResources,
  exportDocumentResource,
  importResultResource as RestResource<never, unknown>,
];
