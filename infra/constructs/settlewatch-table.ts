import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as kms from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { TIME_TO_LIVE_ATTRIBUTE, tableDefinition } from "../../functions/shared/table-schema.js";
import { PINNED_LOGICAL_IDS } from "./pinned-logical-ids.js";

type AttributeName = (typeof tableDefinition.AttributeDefinitions)[number]["AttributeName"];

/** The single table, built from functions/shared/table-schema.ts `tableDefinition` (the CreateTable shape). */
export class SettlewatchTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: { encryptionKey: kms.IKey }) {
    super(scope, id);
    const attribute = (name: AttributeName): dynamodb.Attribute => {
      const definition = tableDefinition.AttributeDefinitions.find((a) => a.AttributeName === name);
      if (definition?.AttributeType !== "S")
        throw new Error(`table-schema: ${name} is not a string attribute`);
      return { name, type: dynamodb.AttributeType.STRING };
    };
    const [hash, range] = tableDefinition.KeySchema;

    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: attribute(hash.AttributeName),
      sortKey: attribute(range.AttributeName),
      billingMode: dynamodb.BillingMode[tableDefinition.BillingMode],
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType[tableDefinition.StreamSpecification.StreamViewType],
      // Markers of counted stream records and finished chunk records expire by themselves.
      timeToLiveAttribute: TIME_TO_LIVE_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDefinition.GlobalSecondaryIndexes) {
      const [indexHash, indexRange] = index.KeySchema;
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        partitionKey: attribute(indexHash.AttributeName),
        sortKey: attribute(indexRange.AttributeName),
        projectionType: dynamodb.ProjectionType[index.Projection.ProjectionType],
      });
    }
    (this.table.node.defaultChild as dynamodb.CfnTable).overrideLogicalId(PINNED_LOGICAL_IDS.table);
  }
}
