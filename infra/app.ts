import { App } from "aws-cdk-lib";
import { loadDeployments, selectDeployments } from "./config/deployments.js";
import { addSettlewatch } from "./settlewatch-app.js";

// `cdk synth` (all deployments) or `cdk synth -c deployment=cn-example` (one).
const app = new App();
addSettlewatch(app, selectDeployments(loadDeployments(), app.node.tryGetContext("deployment")));
app.synth();
