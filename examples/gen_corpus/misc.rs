//! "Three-line" open tables (a rule above, one under the header, one at the bottom; no vertical
//! lines), as county budget reports print them, and a document with no tables at all.

use std::collections::BTreeMap;
use std::rc::Rc;

use yusuan::interpret::{BudgetLine, Record};

use crate::model::*;

fn lines(title: &str, agency: Option<&str>, unit: &str, table: usize, keys: &[&str], rows: &[(usize, &str, &str, Vec<&str>)]) -> Vec<Record> {
    rows.iter()
        .map(|(row, code, name, vals)| {
            let mut amounts = BTreeMap::new();
            for (k, v) in keys.iter().zip(vals) {
                amounts.insert(k.to_string(), amount(v, unit));
            }
            Record::BudgetLine(BudgetLine {
                table_title: Some(title.to_string()),
                agency_name: agency.map(str::to_string),
                amount_unit: Some(unit.to_string()),
                subject_code: if code.is_empty() { None } else { Some(code.to_string()) },
                subject_name: Some(name.to_string()),
                amounts,
                source_tables: vec![table],
                row: Some(*row),
            })
        })
        .collect()
}

fn county_report() -> DocModel {
    let mut blocks = vec![
        Block::Title("玉河县2024年预算草案附表".into()),
        Block::Para("根据《中华人民共和国预算法》规定，现将玉河县2024年一般公共预算收支安排情况列表说明如下。各表金额单位均为万元。".into()),
    ];
    let mut t0 = TableModel::new(&[34.0, 16.0, 16.0, 17.0, 17.0]).font(10.5).header(1, true).threeline();
    t0.row(vec![c("项　目"), c("2023年执行数"), c("2024年预算数"), c("增减额"), c("增长（%）")]);
    let income = [
        ("一、税收收入", "286,540", "301,200", "14,660", "5.1"),
        ("　　增值税", "118,230", "124,100", "5,870", "5.0"),
        ("　　企业所得税", "41,870", "44,000", "2,130", "5.1"),
        ("　　个人所得税", "12,960", "13,500", "540", "4.2"),
        ("　　城市维护建设税", "16,420", "17,200", "780", "4.8"),
        ("　　契税", "38,510", "39,000", "490", "1.3"),
        ("　　其他税收收入", "58,550", "63,400", "4,850", "8.3"),
        ("二、非税收入", "64,380", "60,800", "-3,580", "-5.6"),
        ("　　专项收入", "21,640", "22,000", "360", "1.7"),
        ("　　行政事业性收费收入", "9,870", "9,500", "-370", "-3.7"),
        ("　　国有资源（资产）有偿使用收入", "32,870", "29,300", "-3,570", "-10.9"),
        ("收入合计", "350,920", "362,000", "11,080", "3.2"),
    ];
    for (a, b, x, d, e) in income {
        t0.row(vec![c(a).l(), c(b).r(), c(x).r(), c(d).r(), c(e).r()]);
    }
    blocks.push(Block::Heading("表1　2024年一般公共预算收入预算表".into()));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t0.finish()));

    let mut t1 = TableModel::new(&[18.0, 50.0, 32.0]).font(10.5).header(1, true).threeline();
    t1.row(vec![c("科目编码"), c("科目名称"), c("预算数")]);
    let spend = [
        ("201", "一般公共服务支出", "42,310.25"),
        ("203", "国防支出", "386.00"),
        ("204", "公共安全支出", "21,845.60"),
        ("205", "教育支出", "98,420.18"),
        ("206", "科学技术支出", "6,120.00"),
        ("207", "文化旅游体育与传媒支出", "5,236.44"),
        ("208", "社会保障和就业支出", "61,508.93"),
        ("210", "卫生健康支出", "38,774.10"),
        ("211", "节能环保支出", "9,652.00"),
        ("212", "城乡社区支出", "27,318.36"),
        ("213", "农林水支出", "52,907.81"),
        ("221", "住房保障支出", "12,470.33"),
    ];
    let total: rust_decimal::Decimal = spend.iter().map(|s| dec(&s.2.replace(',', ""))).sum();
    let total_s = {
        let t = format!("{:.2}", total);
        let (i, f) = t.split_once('.').unwrap();
        let mut out = String::new();
        for (k, ch) in i.chars().enumerate() {
            if k > 0 && (i.len() - k) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{out}.{f}")
    };
    let mut rows1 = Vec::new();
    for (code, name, v) in spend {
        let r = t1.row(vec![c(code).l(), c(name).l(), c(v).r()]);
        rows1.push((r, code, name, vec![v]));
    }
    let r = t1.row(vec![c(""), c("支出合计"), c(&total_s).r()]);
    let title1 = "2024年一般公共预算支出预算表（按功能分类）";
    blocks.push(Block::Heading(format!("表2　{title1}")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t1.finish()));

    let mut t2 = TableModel::new(&[40.0, 20.0, 20.0, 20.0]).font(10.5).header(1, true).threeline();
    t2.row(vec![c("项　目"), c("2023年预算数"), c("2024年预算数"), c("增减")]);
    for (a, b, x, d) in [
        ("因公出国（境）费", "52.00", "48.00", "-4.00"),
        ("公务用车购置及运行维护费", "1,236.50", "1,180.20", "-56.30"),
        ("　其中：公务用车购置费", "210.00", "180.00", "-30.00"),
        ("　　　　公务用车运行维护费", "1,026.50", "1,000.20", "-26.30"),
        ("公务接待费", "318.70", "296.40", "-22.30"),
        ("合　计", "1,607.20", "1,524.60", "-82.60"),
    ] {
        t2.row(vec![c(a).l(), c(b).r(), c(x).r(), c(d).r()]);
    }
    blocks.push(Block::Heading("表3　2024年“三公”经费预算表".into()));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t2.finish()));
    blocks.push(Block::Para("注：“三公”经费预算按照厉行节约要求从严核定，较上年下降5.1%。".into()));

    let total_row = r;
    let records = {
        let mut rows = rows1.clone();
        rows.push((total_row, "", "支出合计", vec![total_s.as_str()]));
        lines(title1, None, "万元", 1, &["预算数"], &rows)
    };
    DocModel {
        name: "yuhe_county_2024".into(),
        description: "Three-line tables (county budget report, 万元): income table, 功能分类 expenditure with 科目编码 (budget lines), 三公 table".into(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |_| records.clone()),
    }
}

fn department_threeline() -> DocModel {
    let agency = "玉河县市场监督管理局";
    let mut blocks = vec![
        Block::Title(format!("{agency}2024年部门预算公开表")),
        Block::Para("本部门2024年收支预算均纳入部门预算管理。以下表格金额单位为万元。".into()),
    ];
    let mut t0 = TableModel::new(&[32.0, 18.0, 32.0, 18.0]).font(10.0).header(2, true).threeline();
    t0.row(vec![cs("收入", 2), cs("支出", 2)]);
    t0.row(vec![c("项目"), c("预算数"), c("项目"), c("预算数")]);
    for (a, b, x, y) in [
        ("一般公共预算拨款收入", "3,862.47", "一般公共服务支出", "3,104.62"),
        ("政府性基金预算拨款收入", "", "社会保障和就业支出", "388.15"),
        ("事业收入", "", "卫生健康支出", "152.40"),
        ("其他收入", "", "住房保障支出", "217.30"),
        ("收入总计", "3,862.47", "支出总计", "3,862.47"),
    ] {
        t0.row(vec![c(a).l(), c(b).r(), c(x).l(), c(y).r()]);
    }
    blocks.push(Block::Heading(format!("{agency}收支预算总表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t0.finish()));

    let mut t1 = TableModel::new(&[14.0, 38.0, 16.0, 16.0, 16.0]).font(10.0).header(2, true).threeline();
    t1.row(vec![rs("科目编码", 2), rs("科目名称", 2), cs("2024年预算数", 3)]);
    t1.row(vec![c("合计"), c("基本支出"), c("项目支出")]);
    let data: [(&str, &str, &str, &str, &str); 18] = [
        ("", "合计", "3,862.47", "2,911.05", "951.42"),
        ("201", "一般公共服务支出", "3,104.62", "2,153.20", "951.42"),
        ("20138", "市场监督管理事务", "3,104.62", "2,153.20", "951.42"),
        ("2013801", "行政运行", "2,153.20", "2,153.20", ""),
        ("2013804", "市场主体管理", "186.30", "", "186.30"),
        ("2013805", "市场秩序执法", "402.12", "", "402.12"),
        ("2013812", "药品事务", "213.00", "", "213.00"),
        ("2013816", "食品安全监管", "150.00", "", "150.00"),
        ("208", "社会保障和就业支出", "388.15", "388.15", ""),
        ("20805", "行政事业单位养老支出", "388.15", "388.15", ""),
        ("2080505", "机关事业单位基本养老保险缴费支出", "258.77", "258.77", ""),
        ("2080506", "机关事业单位职业年金缴费支出", "129.38", "129.38", ""),
        ("210", "卫生健康支出", "152.40", "152.40", ""),
        ("21011", "行政事业单位医疗", "152.40", "152.40", ""),
        ("2101101", "行政单位医疗", "152.40", "152.40", ""),
        ("221", "住房保障支出", "217.30", "217.30", ""),
        ("22102", "住房改革支出", "217.30", "217.30", ""),
        ("2210201", "住房公积金", "217.30", "217.30", ""),
    ];
    let mut rows = Vec::new();
    for (code, name, a, b, p) in data {
        let r = t1.row(vec![c(code).l(), c(name).l(), c(a).r(), c(b).r(), c(p).r()]);
        rows.push((r, code, name, vec![a, b, p]));
    }
    let title1 = "一般公共预算支出预算表";
    blocks.push(Block::Heading(format!("{agency}{title1}")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t1.finish()));

    let mut t2 = TableModel::new(&[40.0, 30.0, 30.0]).font(10.0).header(1, true).threeline();
    t2.row(vec![c("采购品目"), c("采购方式"), c("预算金额")]);
    for (a, b, x) in [("执法记录仪", "公开招标", "86.40"), ("快检车辆运行维护服务", "竞争性磋商", "42.00"), ("办公设备", "协议供货", "18.65"), ("合计", "", "147.05")] {
        t2.row(vec![c(a).l(), c(b), c(x).r()]);
    }
    blocks.push(Block::Heading(format!("{agency}政府采购预算表")));
    blocks.push(Block::Right("单位：万元".into()));
    blocks.push(Block::Table(t2.finish()));
    let records = lines(title1, Some(agency), "万元", 1, &["合计", "基本支出", "项目支出"], &rows);
    DocModel {
        name: "yuhe_market_2024".into(),
        description: "Three-line tables of a department budget (万元): 收支总表, 支出预算表 with a two-row header and 科目编码 hierarchy (budget lines), 政府采购".into(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(move |_| records.clone()),
    }
}

pub fn threeline_docs() -> Vec<DocModel> {
    vec![county_report(), department_threeline()]
}

/// A budget explanation with no table at all: extraction must succeed with no tables.
pub fn prose_doc() -> DocModel {
    let paras = [
        "一、部门职责。贯彻执行国家和省、市关于行政审批、政务服务管理工作的方针政策和法律法规，组织协调全区“放管服”改革工作，指导协调全区政务服务管理工作。",
        "二、收支预算总体情况。2021年收入预算1932.33万元，支出预算1932.33万元。其中基本支出494.83万元，占25.6%；项目支出1437.50万元，占74.4%。",
        "三、“三公”经费预算情况。2021年“三公”经费预算6万元，比2020年减少1万元。其中：公务接待费2万元，公务用车运行维护费4万元。",
        "四、机关运行经费。2021年一般公共预算财政拨款运行经费68.2万元，比上年减少4.56万元，主要用于办公费、印刷费、邮电费、水电费、物管费、差旅费、会议费、培训费等。",
        "五、政府采购情况。政府采购预算总额64.2万元，其中政府采购货物预算36.6万元，政府采购服务预算27.6万元。",
        "六、国有资产占有使用情况。截至2020年12月，所属车辆1辆，其中一般公务用车1辆。2021年一般公共预算无购置车辆安排。",
        "七、绩效目标设置情况。2021年项目支出均实行了绩效目标管理，涉及一般公共预算当年财政拨款1437.5万元。",
        "八、专业名词解释。财政拨款收入：指本年度从本级财政部门取得的财政拨款。基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员经费和公用经费。项目支出：指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。",
    ];
    let mut blocks = vec![Block::Title("区政务服务管理办公室2021年部门预算情况说明".into())];
    for p in paras {
        blocks.push(Block::Para(p.into()));
    }
    DocModel {
        name: "budget_explanation_no_tables".into(),
        description: "Budget explanation text only: no tables, no records".into(),
        landscape: false,
        docx_bookmarks: None,
        blocks,
        warnings: vec![],
        records: Rc::new(|_| Vec::new()),
    }
}
