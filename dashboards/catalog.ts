// Every dashboard, in the order they appear in the folder. Adding a dashboard = one line here.
import { chaosDashboard } from './chaos.ts';
import { fulfilmentDashboard } from './fulfilment.ts';
import { galeraCluster } from './galera-cluster.ts';
import { haproxy } from './haproxy.ts';
import { hostDashboard } from './host.ts';
import { shopOverview } from './shop-overview.ts';
import { simulatorDashboard } from './simulator.ts';
import type { DashboardSpec } from './types.ts';

export const dashboards: readonly DashboardSpec[] = [shopOverview, galeraCluster, haproxy, fulfilmentDashboard, hostDashboard, chaosDashboard, simulatorDashboard];
